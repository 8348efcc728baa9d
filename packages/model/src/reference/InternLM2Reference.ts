import { ModelError } from '@puyu/core';
import { type InternLM2Config, type InternLM2Dims, internLM2Dims } from '../config.js';
import { checkInternLM2Weights, FINAL_NORM, type InternLM2Weights, layerTensorNames, lmHead, TOK_EMBEDDINGS } from '../weights.js';
import { attention } from './attention.js';
import { KvCache } from './KvCache.js';
import { addInPlace, linear, rmsNorm } from './ops.js';
import { Rope } from './Rope.js';
import { swiGluFfn } from './swiGluFfn.js';

export interface ForwardOptions {
  /** Return only the last position's logits ([1, vocab]), as a sampler needs. */
  lastOnly?: boolean;
}

/**
 * The pure-TypeScript fp32 InternLM2 forward pass: the oracle every faster
 * engine (ggml graph, llama.cpp) is checked against. It reads top to bottom like
 * the HF model: embed → N × (RMSNorm → attention → residual → RMSNorm → SwiGLU → residual) → norm → LM head.
 */
export class InternLM2Reference {
  readonly dims: InternLM2Dims;
  private readonly rope: Rope;

  constructor(
    readonly config: InternLM2Config,
    private readonly weights: InternLM2Weights,
  ) {
    checkInternLM2Weights(config, weights);
    this.dims = internLM2Dims(config);
    this.rope = new Rope(config, this.dims.headDim);
  }

  /** An empty KV cache sized for this model. */
  createCache(initialCapacity = 64): KvCache {
    return new KvCache(this.config.num_hidden_layers, this.dims.nKvHeads, this.dims.headDim, initialCapacity);
  }

  /**
   * Logits for each of `tokens` as a row-major Float32Array [T, vocab] ([1, vocab] with
   * `lastOnly`). With a
   * cache, the tokens continue the cached sequence and the cache is extended, so
   * decoding one token at a time equals one forward over the whole sequence.
   */
  forward(tokens: ArrayLike<number>, cache?: KvCache, opts: ForwardOptions = {}): Float32Array {
    const c = this.config;
    const T = tokens.length;
    const h = c.hidden_size;
    if (T === 0) return new Float32Array(0);
    for (let t = 0; t < T; t++) {
      const id = tokens[t];
      if (!Number.isInteger(id) || id < 0 || id >= c.vocab_size) {
        throw new ModelError('MODEL_TOKEN_RANGE', `token id ${id} is outside the vocabulary [0, ${c.vocab_size}).`);
      }
    }
    const kv = cache ?? this.createCache(T);
    kv.reserve(T);
    const w = (name: string) => (this.weights.get(name) as { data: Float32Array }).data;

    const x = new Float32Array(T * h);
    const emb = w(TOK_EMBEDDINGS);
    for (let t = 0; t < T; t++) x.set(emb.subarray(tokens[t] * h, (tokens[t] + 1) * h), t * h);

    for (let l = 0; l < c.num_hidden_layers; l++) {
      const n = layerTensorNames(l);
      const a = rmsNorm(x, T, h, w(n.attentionNorm), c.rms_norm_eps);
      addInPlace(x, attention(a, T, h, this.dims, w(n.wqkv), w(n.wo), this.rope, kv, l));
      const f = rmsNorm(x, T, h, w(n.ffnNorm), c.rms_norm_eps);
      addInPlace(x, swiGluFfn(f, T, h, c.intermediate_size, w(n.w1), w(n.w3), w(n.w2)));
    }
    kv.commit(T);
    // Generation needs only the last row; skipping the others saves (T−1)·vocab·hidden work.
    const rows = opts.lastOnly ? x.subarray((T - 1) * h) : x;
    const R = opts.lastOnly ? 1 : T;
    const out = rmsNorm(rows, R, h, w(FINAL_NORM), c.rms_norm_eps);
    return linear(out, R, lmHead(c, this.weights).data, c.vocab_size, h);
  }
}
