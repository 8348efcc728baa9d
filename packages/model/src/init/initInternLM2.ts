import type { InternLM2Config } from '../config.js';
import { type InternLM2Weights, internLM2TensorSpecs, TOK_EMBEDDINGS } from '../weights.js';
import { Prng } from './Prng.js';

export interface InitOptions {
  /** PRNG seed; the same seed and config always give the same weights. */
  seed?: number;
  /** Standard deviation of matrices; defaults to the config's `initializer_range` (0.02). */
  std?: number;
}

/**
 * Random InternLM2 weights initialised as HF `InternLM2PreTrainedModel._init_weights`
 * does: every matrix ~ N(0, initializer_range²), RMSNorm weights = 1, and the
 * embedding row of `pad_token_id` zeroed (nn.Embedding's padding_idx).
 * Tensors are drawn in checkpoint order so adding a layer never reshuffles earlier ones.
 */
export function initInternLM2(config: InternLM2Config, opts: InitOptions = {}): InternLM2Weights {
  const rng = new Prng(opts.seed ?? 0);
  const std = opts.std ?? config.initializer_range;
  const weights: InternLM2Weights = new Map();
  for (const spec of internLM2TensorSpecs(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (spec.shape.length === 1) data.fill(1);
    else for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
    weights.set(spec.name, { shape: spec.shape, data });
  }
  const pad = config.pad_token_id;
  if (pad !== null && pad < config.vocab_size) {
    const emb = weights.get(TOK_EMBEDDINGS);
    emb?.data.fill(0, pad * config.hidden_size, (pad + 1) * config.hidden_size);
  }
  return weights;
}
