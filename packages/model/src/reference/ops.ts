/**
 * The few dense kernels the reference forward needs, as plain loops over
 * Float32Array. Accumulation is in float64 (JS numbers), which keeps this oracle
 * at least as accurate as the fp32 engines it is compared with.
 */

/**
 * y[T, out] = x[T, in] · Wᵀ for a PyTorch-layout weight W[out, in] (what `nn.Linear` does).
 * Both operands are walked along contiguous rows. A 2-token × 4-row block keeps eight
 * accumulators in registers so each loaded value is used 2–4 times (≈1.5× a
 * 1 × 4 block measured here). Every output is still one sequential sum over `in`, so
 * blocking does not change results.
 */
export function linear(x: Float32Array, T: number, w: Float32Array, nOut: number, nIn: number): Float32Array {
  const y = new Float32Array(T * nOut);
  const o4 = nOut - (nOut % 4);
  let t = 0;
  for (; t + 1 < T; t += 2) {
    const xa = t * nIn;
    const xb = xa + nIn;
    const ya = t * nOut;
    const yb = ya + nOut;
    for (let o = 0; o < o4; o += 4) {
      const w0 = o * nIn;
      const w1 = w0 + nIn;
      const w2 = w1 + nIn;
      const w3 = w2 + nIn;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let i = 0; i < nIn; i++) {
        const p = x[xa + i];
        const q = x[xb + i];
        const u0 = w[w0 + i];
        const u1 = w[w1 + i];
        const u2 = w[w2 + i];
        const u3 = w[w3 + i];
        a0 += p * u0;
        a1 += p * u1;
        a2 += p * u2;
        a3 += p * u3;
        b0 += q * u0;
        b1 += q * u1;
        b2 += q * u2;
        b3 += q * u3;
      }
      y[ya + o] = a0;
      y[ya + o + 1] = a1;
      y[ya + o + 2] = a2;
      y[ya + o + 3] = a3;
      y[yb + o] = b0;
      y[yb + o + 1] = b1;
      y[yb + o + 2] = b2;
      y[yb + o + 3] = b3;
    }
    for (let o = o4; o < nOut; o++) {
      y[ya + o] = dot(x, xa, w, o * nIn, nIn);
      y[yb + o] = dot(x, xb, w, o * nIn, nIn);
    }
  }
  // A last odd token (every decoding step): 1 × 4 blocks.
  for (; t < T; t++) {
    const xa = t * nIn;
    const ya = t * nOut;
    for (let o = 0; o < o4; o += 4) {
      const w0 = o * nIn;
      const w1 = w0 + nIn;
      const w2 = w1 + nIn;
      const w3 = w2 + nIn;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let i = 0; i < nIn; i++) {
        const p = x[xa + i];
        a0 += p * w[w0 + i];
        a1 += p * w[w1 + i];
        a2 += p * w[w2 + i];
        a3 += p * w[w3 + i];
      }
      y[ya + o] = a0;
      y[ya + o + 1] = a1;
      y[ya + o + 2] = a2;
      y[ya + o + 3] = a3;
    }
    for (let o = o4; o < nOut; o++) y[ya + o] = dot(x, xa, w, o * nIn, nIn);
  }
  return y;
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
  return s;
}

/** RMSNorm per row: x / sqrt(mean(x²) + eps) · weight (InternLM2RMSNorm). */
export function rmsNorm(x: Float32Array, T: number, dim: number, weight: Float32Array, eps: number): Float32Array {
  const y = new Float32Array(T * dim);
  for (let t = 0; t < T; t++) {
    const o = t * dim;
    let ss = 0;
    for (let i = 0; i < dim; i++) ss += x[o + i] * x[o + i];
    const inv = 1 / Math.sqrt(ss / dim + eps);
    for (let i = 0; i < dim; i++) y[o + i] = x[o + i] * inv * weight[i];
  }
  return y;
}

/** In-place a += b. */
export function addInPlace(a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

export function silu(v: number): number {
  return v / (1 + Math.exp(-v));
}
