import { describe, expect, it } from 'vitest';
import { AdamW, type AdamWStepScalars } from './AdamW.js';
import { adamwRangeSimd } from './adamwSimd.js';

/**
 * The update as it ran before the kernel (a float64 JavaScript loop, clipping done in place first):
 * the kernel must give its bits, so training runs as before to the last bit.
 */
function reference(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamWStepScalars, decay: number, scale: number) {
  const { beta1: b1, beta2: b2, eps, stepSize, sqrtBc2 } = s;
  for (let i = 0; i < p.length; i++) g[i] *= scale;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] as number;
    const mi = b1 * (m[i] as number) + (1 - b1) * gi;
    const vi = b2 * (v[i] as number) + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = (p[i] as number) * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
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
  it('gives the float64 JavaScript update’s bits on every element, across chunks and an odd tail', () => {
    // 40,003 elements: two full 16,384-element chunks, a last chunk of odd size
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
