import { ModelError } from '@puyu/core';
import { type InternLM2Config, internLM2Dims } from './config.js';

/** A dense fp32 tensor, row-major, shape in PyTorch order (outermost first). */
export interface F32Tensor {
  shape: number[];
  data: Float32Array;
}

/** InternLM2 weights keyed by HF tensor names (`model.layers.0.attention.wqkv.weight`, …). */
export type InternLM2Weights = Map<string, F32Tensor>;

export interface TensorSpec {
  name: string;
  shape: number[];
}

/** HF names of one decoder layer, in the order HF checkpoints list them. */
export function layerTensorNames(i: number) {
  const p = `model.layers.${i}`;
  return {
    wqkv: `${p}.attention.wqkv.weight`,
    wo: `${p}.attention.wo.weight`,
    w1: `${p}.feed_forward.w1.weight`,
    w3: `${p}.feed_forward.w3.weight`,
    w2: `${p}.feed_forward.w2.weight`,
    attentionNorm: `${p}.attention_norm.weight`,
    ffnNorm: `${p}.ffn_norm.weight`,
  };
}

export const TOK_EMBEDDINGS = 'model.tok_embeddings.weight';
export const FINAL_NORM = 'model.norm.weight';
export const OUTPUT = 'output.weight';

/** Every tensor an InternLM2 checkpoint must hold, with its shape (no `output` when embeddings are tied). */
export function internLM2TensorSpecs(c: InternLM2Config): TensorSpec[] {
  const d = internLM2Dims(c);
  const h = c.hidden_size;
  const specs: TensorSpec[] = [{ name: TOK_EMBEDDINGS, shape: [c.vocab_size, h] }];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const n = layerTensorNames(i);
    specs.push(
      { name: n.wqkv, shape: [d.qkvRows, h] },
      { name: n.wo, shape: [h, h] },
      { name: n.w1, shape: [c.intermediate_size, h] },
      { name: n.w3, shape: [c.intermediate_size, h] },
      { name: n.w2, shape: [h, c.intermediate_size] },
      { name: n.attentionNorm, shape: [h] },
      { name: n.ffnNorm, shape: [h] },
    );
  }
  specs.push({ name: FINAL_NORM, shape: [h] });
  if (!c.tie_word_embeddings) specs.push({ name: OUTPUT, shape: [c.vocab_size, h] });
  return specs;
}

export function shapeEquals(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Throws if a tensor's shape differs from what the config implies. */
export function checkTensorShape(name: string, actual: readonly number[], expected: readonly number[]): void {
  if (!shapeEquals(actual, expected)) {
    throw new ModelError(
      'MODEL_SHAPE_MISMATCH',
      `tensor ${name} has shape [${actual.join(', ')}] but the config implies [${expected.join(', ')}]; ` +
        'the weights and config.json do not belong together.',
      { details: { name, actual: [...actual], expected: [...expected] } },
    );
  }
}

/**
 * Checks that `weights` holds every tensor of the config with the right shape and
 * data length. Missing tensors are listed together (MODEL_MISSING_TENSORS).
 */
export function checkInternLM2Weights(c: InternLM2Config, weights: InternLM2Weights): void {
  const specs = internLM2TensorSpecs(c);
  const missing = specs.filter((s) => !weights.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, … (${missing.length} in all)` : '');
    throw new ModelError('MODEL_MISSING_TENSORS', `the checkpoint lacks tensors the config needs: ${shown}.`, {
      details: { missing },
    });
  }
  for (const s of specs) {
    const t = weights.get(s.name) as F32Tensor;
    checkTensorShape(s.name, t.shape, s.shape);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) {
      throw new ModelError('MODEL_SHAPE_MISMATCH', `tensor ${s.name} holds ${t.data.length} values, its shape needs ${n}.`);
    }
  }
}

/** The LM head matrix: `output`, or the embeddings when tied. */
export function lmHead(c: InternLM2Config, weights: InternLM2Weights): F32Tensor {
  const t = weights.get(c.tie_word_embeddings ? TOK_EMBEDDINGS : OUTPUT);
  if (!t) throw new ModelError('MODEL_MISSING_TENSORS', 'the checkpoint has no output (LM head) tensor.');
  return t;
}
