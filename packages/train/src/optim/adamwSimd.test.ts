import { describe, expect, it } from 'vitest';
import { AdamW, type AdamWStepScalars } from './AdamW.js';
import { adamwRangeSimd } from './adamwSimd.js';

const f = Math.fround;

/**
 * The kernel's update written out in scalar JavaScript, each operation rounded to f32. For +, −, ×,
 * ÷ and √ of f32 values, the float64 result rounded to f32 is the correctly rounded f32 result
 * (float64 has more than 2·24+2 bits), so this gives the lanes' bits exactly.
 */
function reference(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamWStepScalars, decay: number, scale: number) {
  const [b1, c1, b2, c2] = [f(s.beta1), f(1 - s.beta1), f(s.beta2), f(1 - s.beta2)];
  const [ss, sb, eps, dec, gs] = [f(s.stepSize), f(s.sqrtBc2), f(s.eps), f(decay), f(scale)];
  for (let i = 0; i < p.length; i++) {
    const gi = f(g[i] * gs);
    const mi = f(f(m[i] * b1) + f(gi * c1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * c2));
    m[i] = mi;
    v[i] = vi;
    p[i] = f(f(p[i] * dec) - f(f(ss * mi) / f(f(f(Math.sqrt(vi)) / sb) + eps)));
  }
}

function values(n: number, seed: number, scale: number, positive = false): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const x = (s / 2 ** 32) * scale;
    return positive ? x : x * 2 - scale;
  });
}

describe('adamwRangeSimd (WebAssembly SIMD)', () => {
  it('gives the f32 update’s bits on every element, across chunks and a ragged tail', () => {
    // 40,003 elements: two full 16,384-element chunks, a last chunk not a multiple of 4
    const n = 40_003;
    const s = new AdamW({ beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 }, () => true).beginStep(3e-3);
    for (const [decay, scale] of [
      [true, 1],
      [false, 0.37],
    ] as const) {
      const [p, g, m, v] = [values(n, 1, 1), values(n, 2, 1e-2), values(n, 3, 1e-3), values(n, 4, 1e-5, true)];
      const want = [p, g, m, v].map((x) => x.slice()) as [Float32Array, Float32Array, Float32Array, Float32Array];
      reference(...want, s, decay ? s.decay : 1, scale);
      // a range that starts inside the tensor: elements outside it stay as they were
      const [from, to] = [5, n];
      const before = p[4];
      adamwRangeSimd(p, g, m, v, from, to, s, decay, scale);
      expect(p[4]).toBe(before);
      expect(p.subarray(from, to)).toEqual(want[0].subarray(from, to));
      expect(m.subarray(from, to)).toEqual(want[2].subarray(from, to));
      expect(v.subarray(from, to)).toEqual(want[3].subarray(from, to));
    }
  });
});
