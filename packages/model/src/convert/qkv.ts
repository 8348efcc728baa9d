import type { InternLM2Dims } from '../config.js';

/**
 * Moving attention weights between HF InternLM2 and llama.cpp layouts.
 *
 * HF packs Q, K, V into one `wqkv` whose rows go, for each KV head g, through its
 * q_per_kv query heads, then its key head, then its value head. llama.cpp wants
 * separate `attn_q|k|v`, and because its RoPE (LLAMA_ROPE_TYPE_NORM) rotates
 * adjacent pairs (2i, 2i+1) where HF rotates (i, i + d/2), the converter reorders the
 * rows of each Q and K head: row (p·d/2 + j) moves to (2j + p). This is the permutation
 * of `LlamaModel.permute` in llama.cpp's convert_hf_to_gguf.py.
 *
 * All functions move whole rows, so they work on any dtype with a fixed row size
 * (f32 values, f16/bf16 bit patterns).
 */
type Rows = Float32Array | Uint16Array;

function copyRow(src: Rows, srcRow: number, dst: Rows, dstRow: number, rowLen: number): void {
  dst.set(src.subarray(srcRow * rowLen, (srcRow + 1) * rowLen), dstRow * rowLen);
}

/** Splits packed `wqkv` [qkvRows, hidden] into HF-ordered Q [nHeads·d], K and V [nKv·d] row blocks. */
export function splitWqkv<T extends Rows>(wqkv: T, dims: InternLM2Dims, rowLen: number): { q: T; k: T; v: T } {
  const { headDim: d, nHeads, nKvHeads, qPerKv } = dims;
  const make = (rows: number) => new (wqkv.constructor as new (n: number) => T)(rows * rowLen);
  const q = make(nHeads * d);
  const k = make(nKvHeads * d);
  const v = make(nKvHeads * d);
  for (let g = 0; g < nKvHeads; g++) {
    const base = g * (qPerKv + 2) * d;
    for (let r = 0; r < qPerKv * d; r++) copyRow(wqkv, base + r, q, g * qPerKv * d + r, rowLen);
    for (let r = 0; r < d; r++) {
      copyRow(wqkv, base + qPerKv * d + r, k, g * d + r, rowLen);
      copyRow(wqkv, base + (qPerKv + 1) * d + r, v, g * d + r, rowLen);
    }
  }
  return { q, k, v };
}

/** Inverse of splitWqkv. */
export function packWqkv<T extends Rows>(q: T, k: T, v: T, dims: InternLM2Dims, rowLen: number): T {
  const { headDim: d, nKvHeads, qPerKv, qkvRows } = dims;
  const out = new (q.constructor as new (n: number) => T)(qkvRows * rowLen);
  for (let g = 0; g < nKvHeads; g++) {
    const base = g * (qPerKv + 2) * d;
    for (let r = 0; r < qPerKv * d; r++) copyRow(q, g * qPerKv * d + r, out, base + r, rowLen);
    for (let r = 0; r < d; r++) {
      copyRow(k, g * d + r, out, base + qPerKv * d + r, rowLen);
      copyRow(v, g * d + r, out, base + (qPerKv + 1) * d + r, rowLen);
    }
  }
  return out;
}

/** HF half-split rows → llama.cpp interleaved rows, per head (`LlamaModel.permute`). */
export function permuteForLlamaRope<T extends Rows>(w: T, nHeads: number, headDim: number, rowLen: number): T {
  const out = new (w.constructor as new (n: number) => T)(w.length);
  const half = headDim / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let p = 0; p < 2; p++) {
      for (let j = 0; j < half; j++) copyRow(w, h * headDim + p * half + j, out, h * headDim + 2 * j + p, rowLen);
    }
  }
  return out;
}

/** Inverse of permuteForLlamaRope. */
export function unpermuteFromLlamaRope<T extends Rows>(w: T, nHeads: number, headDim: number, rowLen: number): T {
  const out = new (w.constructor as new (n: number) => T)(w.length);
  const half = headDim / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let p = 0; p < 2; p++) {
      for (let j = 0; j < half; j++) copyRow(w, h * headDim + 2 * j + p, out, h * headDim + p * half + j, rowLen);
    }
  }
  return out;
}
