import { readFileSync } from 'node:fs';
import { toPuyuError } from '@puyu/core/errors';

/**
 * How a failure reads on the terminal: one `puyu: [CODE] sentence` line, then, when the
 * message does not already say what to do, a second line `  hint: …` with the code's action
 * from the error-code registry (every package's errorCodes.ts, as in docs/errors.md).
 */

/** code → action, written with docs/errors.md by `npm run docs:errors` (scripts/error-hints.ts). */
export type ErrorActions = Readonly<Record<string, string>>;

let cached: ErrorActions | undefined;

/**
 * The registry's actions. They are read from a JSON file beside the package (not imported from
 * every package's errorCodes.ts) so that printing an error loads no stage package, and a
 * missing or broken file only costs the hint, never the error line itself.
 */
export function errorActions(): ErrorActions {
  if (cached) return cached;
  try {
    cached = JSON.parse(readFileSync(new URL('../error-actions.json', import.meta.url), 'utf8')) as ErrorActions;
  } catch {
    cached = {};
  }
  return cached;
}

/** The action for `code`; a family such as `PROVIDER_HTTP_<status>` matches `PROVIDER_HTTP_429`. */
export function actionFor(code: string, actions: ErrorActions = errorActions()): string | undefined {
  if (Object.hasOwn(actions, code)) return actions[code];
  for (const [key, action] of Object.entries(actions)) {
    const at = key.indexOf('<');
    if (at > 0 && key.endsWith('>') && code.startsWith(key.slice(0, at)) && code.length > at) return action;
  }
  return undefined;
}

const words = (s: string): string[] =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);

/**
 * Whether `message` already tells the user what `action` says: the action's opening words (up
 * to three, e.g. "check the path") appear in the message, or the message holds nearly all
 * (≥ 80%) of the action's longer words.
 */
export function alreadySays(message: string, action: string): boolean {
  const said = ` ${words(message).join(' ')} `;
  const opening = words(action.split(/[,;:.(]/)[0] ?? '').slice(0, 3);
  if (opening.length >= 2 && said.includes(` ${opening.join(' ')} `)) return true;
  const long = [...new Set(words(action).filter((w) => w.length >= 4))];
  if (long.length === 0) return false;
  return long.filter((w) => said.includes(` ${w} `)).length / long.length >= 0.8;
}

/**
 * The hint line for a code, or undefined. An action that says "see --help" names the command
 * that failed (`see puyu serve --help`) when it is known.
 */
export function hintFor(code: string, message: string, commandLine?: string, actions?: ErrorActions): string | undefined {
  let action = actionFor(code, actions);
  if (action === undefined || alreadySays(message, action)) return undefined;
  if (commandLine) action = action.replace(/(?<![\w-])--help\b/, `${commandLine} --help`);
  return action;
}

/** The lines printed for a thrown value: `puyu: [CODE] sentence` and perhaps `  hint: …`. */
export function formatFailure(e: unknown, commandLine?: string, actions?: ErrorActions): string {
  const p = toPuyuError(e);
  const hint = hintFor(p.code, p.message, commandLine, actions);
  return `puyu: [${p.code}] ${p.message}\n${hint ? `  hint: ${hint}\n` : ''}`;
}

/**
 * Commander's own message ("error: unknown option '--x'\n(Did you mean --y?)") as our one line
 * plus a hint to read the failing command's help.
 */
export function formatUsageError(commanderMessage: string, commandLine: string): string {
  const text = commanderMessage
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*\(Did you mean (.*)\?\)\s*$/s, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ');
  return `puyu: [CLI_USAGE] ${text}\n  hint: run ${commandLine} --help\n`;
}
