import { spawnSync } from 'node:child_process';

/**
 * Builds every package once before any suite runs, so tests that drive the real
 * `puyu` binary (packages/cli/bin/puyu.js → dist/) see current code, and no two
 * test files race to write the same dist/ files.
 */
export default function setup(): void {
  // A targeted run of source-only tests may skip the build (PUYU_SKIP_BUILD=1), e.g. while a
  // half-edited file elsewhere in the tree does not compile; tests that spawn bin/puyu need it.
  if (process.env.PUYU_SKIP_BUILD === '1') return;
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], { encoding: 'utf8', stdio: 'pipe' });
  if (r.status !== 0) throw new Error(`tsc -b failed before the tests:\n${r.stdout}${r.stderr}`);
}
