import { describe, expect, it } from 'vitest';
import { LOSS_ROW_MULTIPLE, planMaskedLoss, TargetScratch } from './maskedCrossEntropy.js';

// The loss and gradients through these plans are checked against PyTorch in gradients.model.test.ts
// (its masked batch keeps a row count that is not a multiple, so padding runs there).
describe('planMaskedLoss', () => {
  it('keeps the weighted rows and pads them with rows that count for nothing', () => {
    const V = 8;
    const targets = [1, 2, 3, 4, 5, 6, 7, 0];
    const weights = [1, 0, 1, 1, 0, 1, 1, 1];
    const p = planMaskedLoss(targets, weights, V);
    expect(p.kept).toBe(6);
    expect(p.rows.length).toBe(LOSS_ROW_MULTIPLE);
    expect(Array.from(p.rows.subarray(0, 6))).toEqual([0, 2, 3, 5, 6, 7]);
    expect(Array.from(p.rowMask.subarray(0, 7))).toEqual([1, 1, 1, 1, 1, 1, 0]);
    expect(p.rowMask.reduce((a, b) => a + b, 0)).toBe(6);
    expect(p.targets.length).toBe(LOSS_ROW_MULTIPLE * V);
    expect(p.targets.subarray(6 * V).every((x) => x === 0)).toBe(true); // padding targets are zero
    expect(p.targets[1 * V + 3]).toBe(1); // kept row 1 is position 2, target 3
    // the fused mean runs over every row, so it is rescaled to the kept ones
    expect(p.uniform).toBe(true);
    expect(p.scale).toBe(LOSS_ROW_MULTIPLE / 6);
  });

  it('scales a weighted loss by −1/Σw, and a round count gets no padding', () => {
    const n = LOSS_ROW_MULTIPLE * 2;
    const weights = Array.from({ length: n }, (_, i) => (i % 2 ? 0.5 : 2));
    const p = planMaskedLoss(
      Array.from({ length: n }, () => 1),
      weights,
      4,
    );
    expect(p.rows.length).toBe(n);
    expect(p.rowMask.every((x) => x === 1)).toBe(true);
    expect(p.uniform).toBe(false);
    expect(p.scale).toBeCloseTo(-1 / (n * 1.25), 12);
  });

  it('refuses bad weights and targets', () => {
    expect(() => planMaskedLoss([1], [-1], 4)).toThrow(RangeError);
    expect(() => planMaskedLoss([9], [1], 4)).toThrow(/outside/);
    expect(planMaskedLoss([1, 2], [0, 0], 4).kept).toBe(0);
  });
});

describe('TargetScratch', () => {
  it('gives each plan exactly its own targets when reused, growing and shrinking', () => {
    const V = 5;
    const scratch = new TargetScratch();
    const cases: [number[], number[]][] = [
      [
        [1, 4, 2, 0],
        [1, 1, 0, 0.5],
      ],
      [
        [3, 3, 0, 1, 2, 4, 0, 1, 2, 3],
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 0.25],
      ],
      [[2], [2]],
    ];
    for (const [targets, weights] of cases) {
      const fresh = planMaskedLoss(targets, weights, V);
      const reused = planMaskedLoss(targets, weights, V, scratch);
      expect(reused.targets).toEqual(fresh.targets);
      expect(reused.rows).toEqual(fresh.rows);
    }
  });
});
