import type { InternLM2Dims } from '../config.js';
import type { KvCache } from './KvCache.js';
import { linear } from './ops.js';
import type { Rope } from './Rope.js';

/**
 * One InternLM2 self-attention block over T new positions that follow the
 * `cache.length` positions already cached.
 *
 * `wqkv` is packed per KV group: for KV head g the rows are its q_per_kv query
 * heads, then its key head, then its value head (each head_dim rows). Query head
 * h = g·q_per_kv + j therefore reads key/value head g — the same pairing HF's
 * `repeat_kv` produces.
 */
export function attention(
  x: Float32Array,
  T: number,
  hidden: number,
  dims: InternLM2Dims,
  wqkv: Float32Array,
  wo: Float32Array,
  rope: Rope,
  cache: KvCache,
  layer: number,
): Float32Array {
  const { headDim: hd, nKvHeads, qPerKv, qkvRows, nHeads } = dims;
  const qkv = linear(x, T, wqkv, qkvRows, hidden);
  const group = (qPerKv + 2) * hd;
  const past = cache.length;
  const positions = Array.from({ length: T }, (_, t) => past + t);

  // Rotate every query and key head in place inside the packed rows.
  const qkOffsets: number[] = [];
  for (let g = 0; g < nKvHeads; g++) for (let j = 0; j <= qPerKv; j++) qkOffsets.push(g * group + j * hd);
  rope.apply(qkv, positions, qkvRows, qkOffsets);

  // Gather K and V of the new rows as [t][kvHead][hd] and append them to the cache.
  const rowSize = nKvHeads * hd;
  const k = new Float32Array(T * rowSize);
  const v = new Float32Array(T * rowSize);
  for (let t = 0; t < T; t++) {
    for (let g = 0; g < nKvHeads; g++) {
      const src = t * qkvRows + g * group + qPerKv * hd;
      k.set(qkv.subarray(src, src + hd), t * rowSize + g * hd);
      v.set(qkv.subarray(src + hd, src + 2 * hd), t * rowSize + g * hd);
    }
    cache.write(layer, t, k, t * rowSize, v, t * rowSize);
  }
  const keys = cache.layerKeys(layer);
  const values = cache.layerValues(layer);

  const scale = 1 / Math.sqrt(hd);
  const out = new Float32Array(T * nHeads * hd);
  const scores = new Float64Array(past + T);
  const acc = new Float64Array(hd);
  for (let t = 0; t < T; t++) {
    const nCtx = past + t + 1; // causal: position past+t sees itself and everything before
    for (let h = 0; h < nHeads; h++) {
      const g = Math.floor(h / qPerKv);
      const qOff = t * qkvRows + g * group + (h % qPerKv) * hd;
      let max = Number.NEGATIVE_INFINITY;
      for (let s = 0; s < nCtx; s++) {
        const kOff = s * rowSize + g * hd;
        let dot = 0;
        for (let i = 0; i < hd; i++) dot += qkv[qOff + i] * keys[kOff + i];
        const sc = dot * scale;
        scores[s] = sc;
        if (sc > max) max = sc;
      }
      let sum = 0;
      for (let s = 0; s < nCtx; s++) {
        scores[s] = Math.exp(scores[s] - max);
        sum += scores[s];
      }
      const oOff = t * nHeads * hd + h * hd;
      acc.fill(0);
      for (let s = 0; s < nCtx; s++) {
        const p = scores[s] / sum;
        const vOff = s * rowSize + g * hd;
        for (let i = 0; i < hd; i++) acc[i] += p * values[vOff + i];
      }
      for (let i = 0; i < hd; i++) out[oOff + i] = acc[i];
    }
  }
  return linear(out, T, wo, hidden, nHeads * hd);
}
