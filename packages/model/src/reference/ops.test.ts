import { describe, expect, it } from 'vitest';
import { linear } from './ops.js';

describe('linear', () => {
  it('equals a naive x·Wᵀ for every shape remainder (odd T, out not a multiple of 4)', () => {
    for (const [T, nOut, nIn] of [
      [1, 1, 1],
      [3, 7, 5],
      [4, 8, 16],
      [5, 6, 3],
    ]) {
      const x = Float32Array.from({ length: T * nIn }, (_, i) => Math.sin(i + 1));
      const w = Float32Array.from({ length: nOut * nIn }, (_, i) => Math.cos(i * 0.7));
      const y = linear(x, T, w, nOut, nIn);
      for (let t = 0; t < T; t++) {
        for (let o = 0; o < nOut; o++) {
          let s = 0;
          for (let i = 0; i < nIn; i++) s += x[t * nIn + i] * w[o * nIn + i];
          expect(y[t * nOut + o]).toBe(Math.fround(s));
        }
      }
    }
  });
});
