import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATASKETCH_CORPUS, datasketchCorpus } from './datasketchPeer.js';
import { NearDeduper } from './NearDeduper.js';
import { exactJaccard } from './nearDupFixture.js';

/**
 * Differential check against datasketch (fixtures/datasketch-golden.json, written by
 * packages/data/reference/datasketchGolden.ts from datasketch's own MinHash + MinHashLSH on the
 * same shingles). Both are randomised sketches with different hash families, so documents near the
 * threshold may go either way (LSH without verification flags ~13 % of pairs at J = 0.6); clear
 * cases must agree.
 */
const golden = JSON.parse(readFileSync(new URL('./fixtures/datasketch-golden.json', import.meta.url), 'utf8')) as {
  corpus: typeof DATASKETCH_CORPUS;
  bands: number;
  rows: number;
  removed: string[];
};

describe('MinHash-LSH against datasketch', () => {
  it('uses the same bands and rows and removes the same documents outside the threshold band', () => {
    expect(golden.corpus).toEqual(DATASKETCH_CORPUS);
    const docs = datasketchCorpus();
    for (const verify of [false, true]) {
      const dd = new NearDeduper({ verify });
      expect([dd.hasher.opts.bands, dd.hasher.opts.rows]).toEqual([golden.bands, golden.rows]);
      const ours = new Set<string>();
      for (const d of docs) if (dd.check(d.text).duplicateOf >= 0) ours.add(d.id);
      const theirs = new Set(golden.removed);
      const earlier = new Map<number, string[]>();
      let clear = 0;
      let clearAgree = 0;
      let all = 0;
      for (const d of docs) {
        const prev = earlier.get(d.family) ?? [];
        const best = Math.max(0, ...prev.map((t) => exactJaccard(d.text, t)));
        prev.push(d.text);
        earlier.set(d.family, prev);
        if (ours.has(d.id) === theirs.has(d.id)) all++;
        // LSH alone still flags ~13 % of pairs at J = 0.6 (1 − (1 − 0.6⁹)¹⁴), at random in either sketch: clear cases are J ≥ 0.8 or ≤ 0.4.
        if (best >= 0.8 || best <= 0.4) {
          clear++;
          if (ours.has(d.id) === theirs.has(d.id)) clearAgree++;
        }
      }
      console.log(
        `verify=${verify}: ours removed ${ours.size}, datasketch ${theirs.size}; agree on ${all}/${docs.length}, on clear cases ${clearAgree}/${clear}`,
      );
      expect(clearAgree / clear).toBeGreaterThanOrEqual(0.98);
      expect(all / docs.length).toBeGreaterThanOrEqual(0.88);
    }
  });
});
