import { linear, silu } from './ops.js';

/** SwiGLU feed-forward: w2(silu(w1·x) ⊙ w3·x), weights in PyTorch [out, in] layout. */
export function swiGluFfn(
  x: Float32Array,
  T: number,
  hidden: number,
  ffn: number,
  w1: Float32Array,
  w3: Float32Array,
  w2: Float32Array,
): Float32Array {
  const gate = linear(x, T, w1, ffn, hidden);
  const up = linear(x, T, w3, ffn, hidden);
  for (let i = 0; i < gate.length; i++) gate[i] = silu(gate[i]) * up[i];
  return linear(gate, T, w2, hidden, ffn);
}
