/**
 * `--json`, the same on every command that reports results: one JSON object on stdout and
 * nothing else there (progress and notes stay on stderr), so `puyu … --json | jq` works.
 */
export const JSON_HELP = 'print the result as one JSON object on stdout';

/** Writes `value` as one line of JSON on stdout (NaN and Infinity become null, as JSON has neither). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
