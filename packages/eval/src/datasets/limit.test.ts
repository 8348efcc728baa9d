import { describe, expect, it } from 'vitest';
import type { EvalSample } from '../types.js';
import { allocate, applyLimit } from './files.js';

/** Subject a: 10 samples, b: 4, c: 1 — in file order a…, b…, c. */
const SAMPLES: EvalSample[] = [
  ...Array.from({ length: 10 }, (_, i) => ({ id: `d/a/${i}`, dataset: 'd', subset: 'a', question: '', gold: '', meta: {} })),
  ...Array.from({ length: 4 }, (_, i) => ({ id: `d/b/${i}`, dataset: 'd', subset: 'b', question: '', gold: '', meta: {} })),
  { id: 'd/c/0', dataset: 'd', subset: 'c', question: '', gold: '', meta: {} },
];
const perSubject = (xs: EvalSample[]) => ['a', 'b', 'c'].map((s) => xs.filter((x) => x.subset === s).length);

describe('--limit across subjects', () => {
  it('gives every subject an equal share (a small subject’s unused share goes to the others), not the first N of the first subject', () => {
    expect(perSubject(applyLimit(SAMPLES, { root: '', limit: 9 }, 'equal'))).toEqual([4, 4, 1]);
    // c has one sample; a and b split the other five 3 + 2, which way round is the seed's choice.
    const [a, b, c] = perSubject(applyLimit(SAMPLES, { root: '', limit: 6 }, 'equal'));
    expect([Math.max(a, b), Math.min(a, b), c]).toEqual([3, 2, 1]);
    expect(perSubject(applyLimit(SAMPLES, { root: '', limit: 100 }, 'equal'))).toEqual([10, 4, 1]);
  });

  it('proportional allocation keeps the subjects’ shares (largest remainder)', () => {
    // 5·10/15 = 3.33, 5·4/15 = 1.33, 5·1/15 = 0.33: floors 3, 1, 0 and the one left goes to the largest remainder (a tie, seeded).
    const p = allocate([10, 4, 1], 5, 'proportional', 0);
    expect(p[0] >= 3 && p[1] >= 1 && p.reduce((a, b) => a + b) === 5).toBe(true);
    expect(allocate([30, 10], 8, 'proportional', 7)).toEqual([6, 2]);
  });

  it('is seeded: the same seed draws the same samples, another seed others; a bigger limit keeps the earlier draw; file order is kept', () => {
    const ids = (seed: number, limit: number) => applyLimit(SAMPLES, { root: '', limit, seed }, 'equal').map((x) => x.id);
    expect(ids(0, 9)).toEqual(ids(0, 9));
    expect(ids(1, 9)).not.toEqual(ids(0, 9));
    const small = ids(3, 6);
    const big = ids(3, 12);
    expect(small.every((id) => big.includes(id))).toBe(true);
    const order = SAMPLES.map((s) => s.id);
    expect(big).toEqual([...big].sort((x, y) => order.indexOf(x) - order.indexOf(y)));
    // Not simply the head of subject a.
    expect(ids(0, 9).filter((id) => id.startsWith('d/a/'))).not.toEqual(['d/a/0', 'd/a/1', 'd/a/2', 'd/a/3']);
  });

  it('a dataset without subjects keeps its first N (OpenCompass test_range [0:N])', () => {
    const flat = SAMPLES.map(({ subset: _, ...s }) => s);
    expect(applyLimit(flat, { root: '', limit: 3 }).map((x) => x.id)).toEqual(['d/a/0', 'd/a/1', 'd/a/2']);
  });
});
