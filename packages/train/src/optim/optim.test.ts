import { describe, expect, it } from 'vitest';
import { AdamW, decaysMatrices } from './AdamW.js';
import { clipGradNorm } from './clipGradNorm.js';
import { learningRate } from './lrSchedule.js';

describe('AdamW', () => {
  it('matches torch.optim.AdamW step by step', () => {
    // torch: p=[1,-2] (decay) and n=[0.5] (no decay); lr=0.1, betas=(0.9,0.999), eps=1e-8, wd=0.1;
    // grads g1=[0.3,-0.4],[1.0] then g2=[-0.1,0.2],[0.5]. Expected values printed by PyTorch 1.13's torch.optim.AdamW.
    const params = new Map([
      ['w', new Float32Array([1, -2])],
      ['n', new Float32Array([0.5])],
    ]);
    const opt = new AdamW(
      { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 },
      decaysMatrices(
        new Map([
          ['w', [1, 2]],
          ['n', [1]],
        ]),
      ),
    );
    opt.step(
      params,
      new Map([
        ['w', new Float32Array([0.3, -0.4])],
        ['n', new Float32Array([1])],
      ]),
      0.1,
    );
    expect(Array.from(params.get('w')!)).toEqual([expect.closeTo(0.89, 6), expect.closeTo(-1.88, 6)]);
    expect(params.get('n')![0]).toBeCloseTo(0.4, 6);
    opt.step(
      params,
      new Map([
        ['w', new Float32Array([-0.1, 0.2])],
        ['n', new Float32Array([0.5])],
      ]),
      0.1,
    );
    expect(params.get('w')![0]).toBeCloseTo(0.8410782, 6);
    expect(params.get('w')![1]).toBeCloseTo(-1.8345662, 6);
    expect(params.get('n')![0]).toBeCloseTo(0.306782, 6);
    expect(opt.t).toBe(2);
  });
});

describe('schedule and clipping', () => {
  it('warms up linearly then decays by cosine to minLr', () => {
    const s = { lr: 1e-3, minLr: 1e-4, warmupSteps: 10, totalSteps: 110 };
    expect(learningRate(s, 0)).toBeCloseTo(1e-4, 12);
    expect(learningRate(s, 9)).toBeCloseTo(1e-3, 12);
    expect(learningRate(s, 10)).toBeCloseTo(1e-3, 12);
    expect(learningRate(s, 60)).toBeCloseTo(5.5e-4, 12);
    expect(learningRate(s, 110)).toBeCloseTo(1e-4, 12);
    expect(learningRate(s, 500)).toBeCloseTo(1e-4, 12);
  });
  it('clips by global norm', () => {
    const a = new Float32Array([3, 0]);
    const b = new Float32Array([4]);
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect(Math.hypot(a[0], a[1], b[0])).toBeCloseTo(1, 5);
    const c = new Float32Array([0.1]);
    expect(clipGradNorm([c], 1)).toBeCloseTo(0.1, 6);
    expect(c[0]).toBeCloseTo(0.1, 7);
  });
});
