/**
 * The few dense kernels the reference forward needs, as plain loops over
 * Float32Array. Accumulation is in float64 (JS numbers), which keeps this oracle
 * at least as accurate as the fp32 engines it is compared with.
 */

/**
 * y[T, out] = x[T, in] · Wᵀ for a PyTorch-layout weight W[out, in] (what `nn.Linear` does).
 * Both operands are walked along contiguous rows; four weight rows share each
 * read of x so the inner loop stays in cache.
 */
export function linear(x: Float32Array, T: number, w: Float32Array, nOut: number, nIn: number): Float32Array {
  const y = new Float32Array(T * nOut);
  for (let t = 0; t < T; t++) {
    const xo = t * nIn;
    const yo = t * nOut;
    let o = 0;
    for (; o + 3 < nOut; o += 4) {
      const w0 = o * nIn;
      const w1 = w0 + nIn;
      const w2 = w1 + nIn;
      const w3 = w2 + nIn;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < nIn; i++) {
        const xv = x[xo + i];
        s0 += xv * w[w0 + i];
        s1 += xv * w[w1 + i];
        s2 += xv * w[w2 + i];
        s3 += xv * w[w3 + i];
      }
      y[yo + o] = s0;
      y[yo + o + 1] = s1;
      y[yo + o + 2] = s2;
      y[yo + o + 3] = s3;
    }
    for (; o < nOut; o++) {
      const wo = o * nIn;
      let s = 0;
      for (let i = 0; i < nIn; i++) s += x[xo + i] * w[wo + i];
      y[yo + o] = s;
    }
  }
  return y;
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
