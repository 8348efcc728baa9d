import { type AdamWStepScalars, adamwRange } from '../optim/AdamW.js';

/**
 * The host side of a data-parallel step, split between the replicas' threads (ZeRO-1 style: each
 * thread owns a contiguous part of the flat parameter vector). The gradient sum, the clipping norm
 * and AdamW are memory-bound passes over every parameter; on the quickstart's 1.3M-parameter model
 * they took about a quarter of a two-replica step on the main thread while the other replica
 * waited (bench/train/README.md, "Data-parallel replicas").
 *
 * Each function runs on one thread over its part [from, to) of buffers that every thread shares,
 * laid out tensor after tensor (`FlatTensor.offset`). Element by element they do the same float
 * operations as the serial path (the loop's sum, clipGradNorm, AdamW.step), so a part's result does
 * not depend on which thread computes it. The norm is the one sum whose order would change, and
 * its float64 result decides the clip factor: DataParallelModel takes it on one thread, in the
 * serial path's order, so a run gives the bits it gave before the work was split.
 */

/** A trained tensor's place in the flat buffers. */
export interface FlatTensor {
  name: string;
  offset: number;
  length: number;
}

/** Thread `k`'s part of `n` elements split between `parts` threads, as even as can be (the first ones larger). */
export function partOf(n: number, parts: number, k: number): { from: number; to: number } {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  const from = k * base + Math.min(k, extra);
  return { from, to: from + base + (k < extra ? 1 : 0) };
}

/**
 * grads[0][i] ← Σ_j grads[j][i]·shares[j] over [from, to), rounded to f32 after each product and
 * sum in the order the serial path does (its own slice scaled in place, then each replica's added).
 * A replica with share 0 sat the step out and its buffer is stale: it is skipped, and when the first
 * one sat out the sum starts from 0.
 */
export function reduceGradsPart(grads: readonly Float32Array[], shares: readonly number[], from: number, to: number): void {
  const dst = grads[0] as Float32Array;
  const s0 = shares[0] as number;
  if (s0 === 0) dst.fill(0, from, to);
  else if (s0 !== 1) for (let i = from; i < to; i++) dst[i] = Math.fround(dst[i] * s0);
  for (let j = 1; j < grads.length; j++) {
    const g = grads[j] as Float32Array;
    const s = shares[j] as number;
    if (s === 0) continue;
    for (let i = from; i < to; i++) dst[i] = Math.fround(dst[i] + g[i] * s);
  }
}

/** `start` + Σ g[i]² over [from, to), summed in order in float64, for the norm that clipping needs. */
export function sumSquaresPart(g: Float32Array, from: number, to: number, start = 0): number {
  let sq = start;
  for (let i = from; i < to; i++) sq += g[i] * g[i];
  return sq;
}

/** The factor clipGradNorm scales by: 1 unless the norm is above `maxNorm` (> 0). */
export function clipScale(norm: number, maxNorm: number): number {
  return maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}

/**
 * AdamW over [from, to) of the flat weights `p` (updated in place), gradients `g` and moments
 * `m`, `v`, each tensor decaying or not as `decays` says (same order as `tensors`).
 */
export function adamwPart(
  tensors: readonly FlatTensor[],
  decays: readonly boolean[],
  flat: { p: Float32Array; g: Float32Array; m: Float32Array; v: Float32Array },
  from: number,
  to: number,
  s: AdamWStepScalars,
  gradScale: number,
): void {
  tensors.forEach((t, k) => {
    const lo = Math.max(from, t.offset);
    const hi = Math.min(to, t.offset + t.length);
    if (lo < hi) adamwRange(flat.p, flat.g, flat.m, flat.v, lo, hi, s, decays[k] as boolean, gradScale);
  });
}
