import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Turns zod issues into one readable sentence per bad field, so a user sees
 * every problem of a config at once rather than fixing them one run at a time.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const where = i.path.length ? i.path.map(String).join('.') : '(root)';
    return `${where}: ${i.message}`;
  });
}

/** Validates `value` against `schema`; throws a ConfigError listing every bad field. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, source = 'config'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = formatIssues(r.error.issues);
  throw new ConfigError(
    'CONFIG_INVALID',
    `${source} is invalid (${lines.length} problem${lines.length > 1 ? 's' : ''}):\n  - ${lines.join('\n  - ')}`,
    {
      details: { issues: lines },
    },
  );
}

/** Reads a JSON (or, with a `.jsonl`-free name, JSON only) config file and validates it. */
export async function loadJsonConfig<S extends z.ZodType>(schema: S, path: string): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError('CONFIG_NOT_FOUND', `cannot read config ${path}: ${(e as Error).message}. Check the path.`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('CONFIG_NOT_JSON', `${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseConfig(schema, json, path);
}
