import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Builds every package once before any suite runs, so tests that drive the real
 * `puyu` binary (packages/cli/bin/puyu.js → dist/) see current code, and no two
 * test files race to write the same dist/ files.
 *
 * Every temporary folder a test, or a process it starts, makes goes under one folder per run
 * (TMPDIR, which os.tmpdir() reads), removed when the run ends: the tests made about 400
 * /tmp/puyu-* folders a full run and left most of them. What is meant to outlive a run (the
 * trained tool model of @puyu/testing) stays in the machine's temporary folder: PUYU_TEST_CACHE.
 */
export default function setup(): () => void {
  process.env.PUYU_TEST_CACHE ??= tmpdir();
  const runDir = mkdtempSync(join(tmpdir(), 'puyu-vitest-'));
  // open like /tmp itself: a fixture's process may run as another user (the PostgreSQL cluster of
  // @puyu/label runs initdb as `postgres` when the tests run as root)
  chmodSync(runDir, 0o1777);
  process.env.TMPDIR = runDir;
  const teardown = () => rmSync(runDir, { recursive: true, force: true });
  // A targeted run of source-only tests may skip the build (PUYU_SKIP_BUILD=1), e.g. while a
  // half-edited file elsewhere in the tree does not compile; tests that spawn bin/puyu need it.
  if (process.env.PUYU_SKIP_BUILD === '1') return teardown;
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], { encoding: 'utf8', stdio: 'pipe' });
  if (r.status !== 0) {
    teardown();
    throw new Error(`tsc -b failed before the tests:\n${r.stdout}${r.stderr}`);
  }
  return teardown;
}
