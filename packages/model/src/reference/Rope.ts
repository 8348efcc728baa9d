import type { InternLM2Config } from '../config.js';

/**
 * Rotary position embedding as HF InternLM2 applies it: the head is split in two
 * halves and `x·cos + rotate_half(x)·sin` mixes element i with i + dim/2.
 *
 * Scaling (HF `rope_scaling`):
 * - linear: positions are divided by `factor`.
 * - dynamic (NTK): when the sequence seen so far (max position + 1) is longer than
 *   `max_position_embeddings`, the base grows to
 *   `theta · (factor·len/max − (factor − 1))^(dim/(dim−2))`; shorter sequences use plain RoPE.
 *   As in HF, keys already in a KV cache keep the rotation they were given, so
 *   incremental decoding past the limit differs from one full forward.
 */
export class Rope {
  private readonly half: number;

  constructor(
    private readonly config: InternLM2Config,
    private readonly headDim: number,
  ) {
    this.half = headDim / 2;
  }

  /** Inverse frequencies for a call whose largest position is `maxPos`, rounded to fp32 like torch. */
  invFreq(maxPos: number): Float32Array {
    const { rope_theta: theta, rope_scaling: scaling, max_position_embeddings: maxLen } = this.config;
    const dim = this.headDim;
    let base = theta;
    const seqLen = maxPos + 1;
    if (scaling?.type === 'dynamic' && seqLen > maxLen) {
      base = theta * ((scaling.factor * seqLen) / maxLen - (scaling.factor - 1)) ** (dim / (dim - 2));
    }
    const f = new Float32Array(this.half);
    for (let i = 0; i < this.half; i++) f[i] = 1 / Math.fround(base ** Math.fround((2 * i) / dim));
    return f;
  }

  /**
   * Rotates `nHeads` heads of each row of `x` in place. Row t holds position
   * `positions[t]`; a row is `stride` floats and heads start at `offsets` within it.
   */
  apply(x: Float32Array, positions: readonly number[], stride: number, offsets: readonly number[]): void {
    const maxPos = positions.reduce((a, b) => Math.max(a, b), 0);
    const inv = this.invFreq(maxPos);
    const linearFactor = this.config.rope_scaling?.type === 'linear' ? this.config.rope_scaling.factor : 1;
    const h = this.half;
    const cos = new Float64Array(h);
    const sin = new Float64Array(h);
    for (let t = 0; t < positions.length; t++) {
      const pos = Math.fround(positions[t] / linearFactor);
      for (let i = 0; i < h; i++) {
        const angle = Math.fround(pos * inv[i]);
        cos[i] = Math.cos(angle);
        sin[i] = Math.sin(angle);
      }
      for (const off of offsets) {
        const o = t * stride + off;
        for (let i = 0; i < h; i++) {
          const a = x[o + i];
          const b = x[o + i + h];
          x[o + i] = a * cos[i] - b * sin[i];
          x[o + i + h] = b * cos[i] + a * sin[i];
        }
      }
    }
  }
}
