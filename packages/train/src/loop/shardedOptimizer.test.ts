import { describe, expect, it } from 'vitest';
import { AdamW } from '../optim/AdamW.js';
import { clipGradNorm } from '../optim/clipGradNorm.js';
import { adamwPart, clipScale, type FlatTensor, partOf, reduceGradsPart, sumSquaresPart } from './shardedOptimizer.js';

/** Deterministic values of mixed sign and magnitude, so f32 rounding shows in every sum. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * 10 ** ((s % 7) - 4);
  });
}

describe('partOf', () => {
  it('covers every element once, in order, parts differing by at most one', () => {
    for (const [n, parts] of [
      [10, 3],
      [2, 4],
      [1_310_720, 2],
      [0, 2],
    ] as const) {
      const got = Array.from({ length: parts }, (_, k) => partOf(n, parts, k));
      expect(got[0]?.from).toBe(0);
      expect(got.at(-1)?.to).toBe(n);
      for (let k = 1; k < parts; k++) expect(got[k]?.from).toBe(got[k - 1]?.to);
      const sizes = got.map((p) => p.to - p.from);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('the host work split into parts', () => {
  const n = 1001;
  const tensors: FlatTensor[] = [
    { name: 'a', offset: 0, length: 600 },
    { name: 'norm', offset: 600, length: 1 },
    { name: 'b', offset: 601, length: 400 },
  ];

  it('sums the replicas’ gradients with the serial path’s bits, whoever computes which part', () => {
    const shares = [0.4, 0.35, 0.25];
    const grads = [values(n, 1), values(n, 2), values(n, 3)];
    // the serial path: the main thread's slice scaled in place, then each replica's added
    const want = (grads[0] as Float32Array).slice();
    for (let i = 0; i < n; i++) want[i] *= shares[0] as number;
    for (let j = 1; j < 3; j++) for (let i = 0; i < n; i++) want[i] += (grads[j] as Float32Array)[i] * (shares[j] as number);
    for (const parts of [1, 2, 3]) {
      const g = grads.map((x) => x.slice());
      for (let k = 0; k < parts; k++) {
        const { from, to } = partOf(n, parts, k);
        reduceGradsPart(g, shares, from, to);
      }
      expect(g[0]).toEqual(want);
    }
  });

  it('skips a replica that sat the step out (stale buffer), and starts from 0 when the main thread did', () => {
    const g = [values(n, 4), values(n, 5), values(n, 6)];
    const want = (g[1] as Float32Array).map((x) => x * 1);
    reduceGradsPart(g, [0, 1, 0], 0, n);
    expect(g[0]).toEqual(want);
  });

  it('norm and clipped AdamW over parts equal clipGradNorm + AdamW.step (decay per tensor)', () => {
    const g = values(n, 7);
    const p = values(n, 8);
    const opts = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
    const decays = (name: string) => name !== 'norm';
    const [serial, split] = [new AdamW(opts, decays), new AdamW(opts, decays)];
    // serial reference on per-tensor arrays
    const params = new Map(tensors.map((t) => [t.name, p.slice(t.offset, t.offset + t.length)]));
    const grads = new Map(tensors.map((t) => [t.name, g.slice(t.offset, t.offset + t.length)]));
    const maxNorm = 0.01;
    const norm = clipGradNorm(grads.values(), maxNorm);
    expect(norm).toBeGreaterThan(maxNorm);
    serial.step(params, grads, 1e-2);
    // split: 3 parts whose boundaries fall inside tensors
    const flat = { p: p.slice(), g: g.slice(), m: new Float32Array(n), v: new Float32Array(n) };
    const parts = [0, 1, 2].map((k) => partOf(n, 3, k));
    const sq = parts.reduce((a, { from, to }) => a + sumSquaresPart(flat.g, from, to), 0);
    expect(Math.sqrt(sq)).toBeCloseTo(norm, 12);
    // the same scale as the serial norm gives the serial bits exactly
    const scale = clipScale(norm, maxNorm);
    const s = split.beginStep(1e-2);
    for (const { from, to } of parts)
      adamwPart(
        tensors,
        tensors.map((t) => decays(t.name)),
        flat,
        from,
        to,
        s,
        scale,
      );
    for (const t of tensors) {
      expect(flat.p.subarray(t.offset, t.offset + t.length)).toEqual(params.get(t.name));
      expect(flat.m.subarray(t.offset, t.offset + t.length)).toEqual(serial.m.get(t.name));
    }
    expect(clipScale(0.5, 1)).toBe(1);
    expect(clipScale(2, 0)).toBe(1);
  });
});
