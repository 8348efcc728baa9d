import { describe, expect, it } from 'vitest';
import { NearDeduper } from './NearDeduper.js';
import { exactJaccard, nearDuplicateCorpus } from './nearDupFixture.js';

/**
 * The bar for MinHash-LSH at the defaults (5-grams, 128 permutations, threshold 0.7):
 * on generated near-duplicates with known exact Jaccard, recall ≥ 0.95 on documents that have
 * an earlier document with J ≥ 0.8, and precision ≥ 0.95 with nothing at J ≤ 0.6 removed and
 * no unrelated document removed.
 */
describe('MinHash-LSH dedup quality', () => {
  const docs = nearDuplicateCorpus({ families: 150, words: 150, rates: [0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.15], seed: 11 });

  it('meets recall ≥ 0.95 at J ≥ 0.8 and precision ≥ 0.95, removing nothing at J ≤ 0.6', () => {
    const dd = new NearDeduper();
    expect([dd.hasher.opts.bands, dd.hasher.opts.rows]).toEqual([14, 9]);
    const keptIdx: number[] = [];
    let shouldGo = 0;
    let removedOfThose = 0;
    let removed = 0;
    let removedTrue = 0;
    let removedAtOrBelow06 = 0;
    let removedAcrossFamilies = 0;
    const byFamily = new Map<number, number[]>();
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i]!;
      const earlier = byFamily.get(d.family) ?? [];
      // Exact J to the earlier documents of the family (other families are unrelated random text).
      const best = Math.max(0, ...earlier.map((j) => exactJaccard(d.text, docs[j]!.text)));
      const v = dd.check(d.text);
      if (best >= 0.8) shouldGo++;
      if (v.duplicateOf >= 0) {
        removed++;
        const kept = docs[keptIdx[v.duplicateOf]!]!;
        if (kept.family !== d.family) removedAcrossFamilies++;
        const j = exactJaccard(d.text, kept.text);
        if (j > 0.6) removedTrue++;
        else removedAtOrBelow06++;
        if (best >= 0.8) removedOfThose++;
      } else keptIdx.push(i);
      earlier.push(i);
      byFamily.set(d.family, earlier);
    }
    const recall = removedOfThose / shouldGo;
    const precision = removedTrue / removed;
    console.log(
      `dedup quality: ${docs.length} docs, ${shouldGo} with J ≥ 0.8, recall ${recall.toFixed(4)}, precision ${precision.toFixed(4)}, removed ${removed}, at J ≤ 0.6: ${removedAtOrBelow06}`,
    );
    expect(shouldGo).toBeGreaterThan(500);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(removedAtOrBelow06).toBe(0);
    expect(removedAcrossFamilies).toBe(0);
    // Every base (a distinct document) is kept.
    for (let f = 0; f < 150; f++) expect(keptIdx.some((i) => docs[i]!.id === `f${f}-base`)).toBe(true);
  });

  it('estimates Jaccard within a few hundredths of the exact value', () => {
    const dd = new NearDeduper();
    let maxErr = 0;
    let sumErr = 0;
    let n = 0;
    for (let i = 1; i < 400; i++) {
      const a = docs[i - (i % 9)]!;
      const b = docs[i]!;
      if (a === b) continue;
      const j = exactJaccard(a.text, b.text);
      const est = (() => {
        const sa = dd.hasher.signature(a.text);
        const sb = dd.hasher.signature(b.text);
        let eq = 0;
        for (let k = 0; k < sa.length; k++) if (sa[k] === sb[k]) eq++;
        return eq / sa.length;
      })();
      maxErr = Math.max(maxErr, Math.abs(est - j));
      sumErr += est - j;
      n++;
    }
    // 128 permutations: standard error ≤ 0.045; an unbiased family averages out.
    expect(maxErr).toBeLessThan(0.18);
    expect(Math.abs(sumErr / n)).toBeLessThan(0.01);
  });
});
