import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { runDatasketch } from './datasketchPeer.js';

/** The live half of datasketch.test.ts: datasketch run now gives the committed golden. */
describe('datasketch golden, live', () => {
  it('matches a fresh datasketch run', (ctx) => {
    const dir = join(REPO_ROOT, '.cache', 'datasketch');
    if (!existsSync(join(dir, 'datasketch', 'lsh.py'))) {
      console.log(`skipped: no datasketch checkout at ${dir} (see packages/data/reference/datasketchGolden.ts)`);
      ctx.skip();
    }
    const golden = JSON.parse(readFileSync(new URL('./fixtures/datasketch-golden.json', import.meta.url), 'utf8')) as { removed: string[] };
    expect(runDatasketch(dir).removed).toEqual(golden.removed);
  });
});
