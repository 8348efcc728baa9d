/**
 * Writes packages/cli/error-actions.json, the code → action table the `puyu` command prints
 * as `  hint: …` under a failure (packages/cli/src/errorOutput.ts). It is a copy of the
 * registry's actions (every package's errorCodes.ts) so that printing an error loads no stage
 * package; `npm run docs:errors` writes it with docs/errors.md, and
 * scripts/error-hints.test.ts fails when it is stale.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackageTable } from './errors-scan.js';

export const ERROR_ACTIONS_FILE = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'packages', 'cli', 'error-actions.json');

/** Every registered code and its action, sorted by code, as the JSON file's text. */
export function renderErrorActions(tables: readonly Pick<PackageTable, 'codes'>[]): string {
  const actions: Record<string, string> = {};
  for (const t of tables) for (const [code, info] of Object.entries(t.codes)) actions[code] = info.action;
  const sorted = Object.fromEntries(Object.entries(actions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
