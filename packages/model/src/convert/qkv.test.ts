import { describe, expect, it } from 'vitest';
import { internLM2Dims, makeInternLM2Config } from '../config.js';
import { packWqkv, permuteForLlamaRope, splitWqkv, unpermuteFromLlamaRope } from './qkv.js';

const config = makeInternLM2Config({
  vocab_size: 8,
  hidden_size: 24,
  intermediate_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 6,
  num_key_value_heads: 2,
});
const d = internLM2Dims(config); // head_dim 4, 3 query heads per KV head
const cols = 2;

/** Row r of the packed matrix holds [r, -r], so every moved row is identifiable. */
function labelled(rows: number): Float32Array {
  const a = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    a[r * cols] = r;
    a[r * cols + 1] = -r;
  }
  return a;
}
const rowIds = (a: Float32Array) => Array.from({ length: a.length / cols }, (_, r) => a[r * cols]);

describe('wqkv split / RoPE permutation', () => {
  it('splits per KV group: [q q q k v] × 2 groups', () => {
    const w = labelled(d.qkvRows);
    const { q, k, v } = splitWqkv(w, d, cols);
    // group g occupies rows g·20 … g·20+19: 12 query rows, 4 key rows, 4 value rows
    expect(rowIds(q)).toEqual([...Array.from({ length: 12 }, (_, i) => i), ...Array.from({ length: 12 }, (_, i) => 20 + i)]);
    expect(rowIds(k)).toEqual([12, 13, 14, 15, 32, 33, 34, 35]);
    expect(rowIds(v)).toEqual([16, 17, 18, 19, 36, 37, 38, 39]);
    expect(Array.from(packWqkv(q, k, v, d, cols))).toEqual(Array.from(w));
  });

  it('permutes each head from half-split to interleaved pairs, like LlamaModel.permute', () => {
    const w = labelled(8); // 2 heads of head_dim 4
    const p = permuteForLlamaRope(w, 2, 4, cols);
    // reshape(2 heads, 2 halves, 2, cols).swapaxes(1, 2): head rows [0 1 | 2 3] → [0 2 1 3]
    expect(rowIds(p)).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    expect(Array.from(unpermuteFromLlamaRope(p, 2, 4, cols))).toEqual(Array.from(w));
  });

  it('works on 16-bit rows as well (f16/bf16 bit patterns)', () => {
    const w = new Uint16Array([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(permuteForLlamaRope(w, 1, 4, 2))).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
  });
});
