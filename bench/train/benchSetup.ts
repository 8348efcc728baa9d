/**
 * What every peer of the training bench shares: the reference model shape, the
 * optimizer settings, the token stream (a real corpus tokenized by the shipped
 * tokenizer) and the explicit FLOP count used for GFLOP/s.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTokenizer } from '@puyu/formats';
import { defaultTokenizerPath, type InternLM2Config, internLM2Dims, makeInternLM2Config } from '@puyu/model';

export const ROOT = resolve(import.meta.dirname, '../..');

/** The reference config of issue 5 (vocab = the shipped puyu-tiny tokenizer's 2048 pieces). */
export function referenceConfig(): InternLM2Config {
  return makeInternLM2Config({
    vocab_size: 2048,
    hidden_size: 256,
    intermediate_size: 768,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 256,
    rope_theta: 1e6,
    rms_norm_eps: 1e-5,
    tie_word_embeddings: false,
  });
}

/** AdamW + clipping as `pretrain` runs them; the PyTorch peer mirrors these exactly. */
export const OPTIM = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clip: 1.0 } as const;

/** The shipped public-domain corpus, tokenized (one stream, documents joined by EOS). */
export function corpusTokens(): Int32Array {
  const tokPath = defaultTokenizerPath();
  if (!tokPath) throw new Error('the shipped tokenizer packages/model/assets/puyu-tiny.model is missing');
  const tok = loadTokenizer(tokPath);
  const text = readFileSync(join(ROOT, 'packages/model/assets/corpus/devils-dictionary.txt'), 'utf8');
  const ids: number[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    if (!para.trim()) continue;
    ids.push(...tok.encode(para), tok.eosId);
  }
  return Int32Array.from(ids);
}

/** Row b of step s reads T+1 tokens at ((s·B + b)·T) mod len: inputs then shifted targets. */
export function stepRows(stream: Int32Array, step: number, B: number, T: number): { rows: number[][]; targets: number[] } {
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let b = 0; b < B; b++) {
    const start = ((step * B + b) * T) % (stream.length - T - 1);
    const seq = Array.from(stream.subarray(start, start + T + 1));
    rows.push(seq.slice(0, T));
    targets.push(...seq.slice(1));
  }
  return { rows, targets };
}

/**
 * Matmul FLOPs of one training token: 3 × forward (backward = 2 × forward for every
 * product: the gradient w.r.t. each operand), counting 2 FLOPs per multiply-add and
 * the full T×T attention (no causal halving, as the graph computes it).
 */
export function trainFlopsPerToken(c: InternLM2Config, T: number): { flops: number; formula: string } {
  const { qkvRows } = internLM2Dims(c);
  const h = c.hidden_size;
  const f = c.intermediate_size;
  const V = c.vocab_size;
  const L = c.num_hidden_layers;
  const perLayer = 2 * h * qkvRows + 2 * h * h + 3 * 2 * h * f + 2 * 2 * T * h;
  const fwd = L * perLayer + 2 * h * V;
  return {
    flops: 3 * fwd,
    formula:
      `3 × [L·(2·h·qkv + 2·h² + 6·h·ffn + 4·T·h) + 2·h·V] = 3 × [${L}·(2·${h}·${qkvRows} + 2·${h}² + 6·${h}·${f} + 4·${T}·${h}) + 2·${h}·${V}]` +
      ` = ${((3 * fwd) / 1e6).toFixed(2)} MFLOP/token`,
  };
}

/** One peer's measurement, as each child prints it (one JSON line on stdout). */
export interface PeerResult {
  peer: string;
  /** Wall time of each optimizer step, ms (the first, warm-up step included; callers skip it). */
  stepMs: number[];
  /** Tokens per optimizer step. */
  tokensPerStep: number;
  /** Loss of each step. */
  losses: number[];
  /** Ours only: the part of each step spent outside ggml (clip + AdamW + upload), ms. */
  hostMs?: number[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
