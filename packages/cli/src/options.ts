import { ConfigError } from '@puyu/core/errors';

/**
 * The one parser for numeric and enumerated CLI options, used by every option of every
 * command. `Number.parseInt` (what the commands used before) accepts "10x" as 10 and
 * "1.5" as 1, and turns "abc" into NaN that fails much later; these parse the whole
 * string, check the range, and fail at once with `[CLI_BAD_OPTION] --flag must be …`.
 */

interface Range {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Values must be strictly greater than this. */
  above?: number;
}

function rangeText(r: Range): string {
  const parts: string[] = [];
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.min !== undefined) parts.push(`≥ ${r.min}`);
  if (r.max !== undefined) parts.push(`≤ ${r.max}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

function inRange(n: number, r: Range): boolean {
  return (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max) && (r.above === undefined || n > r.above);
}

/** Parses a decimal (or 1e6-style) string as a finite number; "" and " " are not numbers. */
function toNumber(v: string): number {
  return v.trim() === '' ? Number.NaN : Number(v);
}

/** Checks one value; the message names the flag, the rule and what was given. */
export function parseInteger(flag: string, v: string, range: Range = {}): number {
  const n = toNumber(v);
  if (!Number.isSafeInteger(n) || !inRange(n, range)) {
    throw new ConfigError('CLI_BAD_OPTION', `${flag} must be an integer${rangeText(range)}, got "${v}".`);
  }
  return n;
}

export function parseNumber(flag: string, v: string, range: Range = {}): number {
  const n = toNumber(v);
  if (!Number.isFinite(n) || !inRange(n, range)) {
    throw new ConfigError('CLI_BAD_OPTION', `${flag} must be a number${rangeText(range)}, got "${v}".`);
  }
  return n;
}

/** A commander argument parser for an integer option: `.option('--steps <n>', '…', intOption('--steps', { min: 1 }))`. */
export function intOption(flag: string, range: Range = { min: 1 }): (v: string) => number {
  return (v) => parseInteger(flag, v, range);
}

/** A commander argument parser for a real-valued option. */
export function numberOption(flag: string, range: Range = {}): (v: string) => number {
  return (v) => parseNumber(flag, v, range);
}

/** A parser that also names the words it accepts (read by the shell completion, completion.ts). */
export type ChoiceParser<T extends string> = ((v: string) => T) & { readonly choices: readonly T[] };

/** A commander argument parser for one of a fixed set of (case-insensitive) words. */
export function choiceOption<T extends string>(flag: string, choices: readonly T[]): ChoiceParser<T> {
  const parse = (v: string): T => {
    const w = v.toLowerCase();
    const hit = choices.find((c) => c.toLowerCase() === w);
    if (hit === undefined) throw new ConfigError('CLI_BAD_OPTION', `${flag} must be one of ${choices.join(', ')}, got "${v}".`);
    return hit;
  };
  return Object.assign(parse, { choices });
}
