import { describe, expect, it } from 'vitest';
import { CalcRng } from '../sft/calculator/rng.js';
import { generateCalculatorPairs, otherNumber, otherOperand } from './calculatorPairs.js';
import { parseDpoJsonl } from './data/readDpoJsonl.js';
import { dpoLoss, dpoPairMetrics } from './dpoMetrics.js';

describe('DPO metrics', () => {
  it('a policy equal to its reference: loss log 2, margin 0, accuracy 0.5 (ties count half)', () => {
    const batch = { pairs: 2, ref: Float64Array.from([-3, -5, -2, -1]) };
    expect(dpoLoss([-3, -5, -2, -1], batch, 0.1)).toBeCloseTo(Math.LN2, 12);
    expect(dpoPairMetrics([-3, -5, -2, -1], batch, 0.1)).toEqual({
      reward_accuracy: 0.5,
      reward_margin: 0,
      reward_chosen: 0,
      reward_rejected: 0,
    });
  });

  it('rewards are β·(π − r); the loss is −log σ of the margin, stable for large margins', () => {
    const batch = { pairs: 2, ref: Float64Array.from([0, 0, 0, 0]) };
    const m = dpoPairMetrics([-1, -3, -4, -2], batch, 0.5);
    expect(m.reward_accuracy).toBe(0.5);
    expect(m.reward_margin).toBeCloseTo((1 - 1) / 2, 12);
    expect(m.reward_chosen).toBeCloseTo(-1.25, 12);
    const z = 0.5 * 2;
    expect(dpoLoss([-1, -3], { pairs: 1, ref: batch.ref }, 0.5)).toBeCloseTo(Math.log1p(Math.exp(-z)), 12);
    expect(dpoLoss([0, -1e6], { pairs: 1, ref: batch.ref }, 1)).toBe(0);
    expect(dpoLoss([-1e6, 0], { pairs: 1, ref: batch.ref }, 1)).toBeCloseTo(1e6, 6);
  });
});

describe('calculator preference pairs', () => {
  it('are deterministic, read back with no skipped line, and chosen differs from rejected in every pair', () => {
    const a = generateCalculatorPairs({ train: 60, heldout: 20, seed: 3 });
    expect(generateCalculatorPairs({ train: 60, heldout: 20, seed: 3 })).toEqual(a);
    const all = [...a.train, ...a.heldout];
    expect(new Set(all.map((p) => p.kind))).toEqual(new Set(['wrong_answer', 'wrong_expression', 'malformed_call']));
    const r = parseDpoJsonl(all.map((p) => JSON.stringify(p)).join('\n'));
    expect(r.skipped).toEqual([]);
    expect(r.pairs.length).toBe(80);
    for (const p of a.train.filter((x) => x.kind === 'wrong_answer')) expect(p.prompt.at(-1)?.role).toBe('tool');
    for (const p of a.train.filter((x) => x.kind !== 'wrong_answer')) expect(p.prompt.at(-1)?.role).toBe('user');
  });

  it('a wrong number keeps the shape (length, sign, decimal point) and differs; one operand of an expression changes', () => {
    const rng = new CalcRng(1);
    for (const s of ['-0.4631', '228.06', '7', '1000', '0.5']) {
      for (let k = 0; k < 20; k++) {
        const t = otherNumber(s, rng);
        expect(t).not.toBe(s);
        expect(t.replace(/[0-9]/g, '9')).toBe(s.replace(/[0-9]/g, '9'));
        expect(t.startsWith('0') && !t.startsWith('0.')).toBe(false);
      }
    }
    const e = '(89+76.5)/20*59.63';
    const t = otherOperand(e, rng);
    expect(t).not.toBe(e);
    expect(t.replace(/[0-9]/g, '9')).toBe(e.replace(/[0-9]/g, '9'));
    const changed = (x: string) => x.split(/[^0-9.]+/).filter(Boolean);
    expect(changed(t).filter((n, i) => n !== changed(e)[i])).toHaveLength(1);
  });
});
