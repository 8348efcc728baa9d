/**
 * Where tests find the real benchmark copies: `$PUYU_DATA_ROOT`, else `../shared/datasets` from
 * the repository root. Returns null (and tests skip with a printed reason) when absent.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../../../', import.meta.url));

export function sharedDataRoot(): string | null {
  const root = process.env.PUYU_DATA_ROOT ?? resolve(repo, '../shared/datasets');
  return existsSync(root) ? root : null;
}

export function fixtureRoot(name: string): string {
  return new URL(`./${name}`, import.meta.url).pathname;
}
