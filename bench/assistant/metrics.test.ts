import { describe, expect, it } from 'vitest';
import { confusion, median, prf, rocAuc } from './metrics.js';

describe('rejection metrics', () => {
  it('counts an answered related question as a true positive (positive = answer, as HuixiangDou)', () => {
    const labels = [true, true, true, false, false];
    const answered = [true, true, false, true, false];
    expect(confusion(labels, answered)).toEqual({ tp: 2, fp: 1, fn: 1, tn: 1 });
    const m = prf(labels, answered);
    expect(m.precision).toBeCloseTo(2 / 3);
    expect(m.recall).toBeCloseTo(2 / 3);
    expect(m.f1).toBeCloseTo(2 / 3);
    // reject class: precision 1/2 (rejected 2, 1 unrelated), recall 1/2
    expect(m.rejectF1).toBeCloseTo(0.5);
    expect(m.accuracy).toBeCloseTo(3 / 5);
  });

  it('gives 0, not NaN, when nothing is answered', () => {
    const m = prf([true, false], [false, false]);
    expect(m).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });

  it('computes ROC AUC with ties counted half', () => {
    expect(rocAuc([3, 4], [1, 2])).toBe(1);
    expect(rocAuc([1, 2], [3, 4])).toBe(0);
    expect(rocAuc([1, 1], [1, 1])).toBe(0.5);
    expect(rocAuc([2, 0], [1])).toBe(0.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
