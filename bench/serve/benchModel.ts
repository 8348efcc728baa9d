/**
 * The model and prompts every peer of the serving bench shares: one InternLM2 GGUF made with our
 * own tools (random init → HF folder → GGUF), cached in the temp folder under its shape, and
 * prompts cut from the shipped public-domain corpus, sent to every server as token arrays so each
 * one evaluates exactly the same prompt tokens.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadTokenizer } from '@puyu/formats';
import { convertHfToGguf, defaultTokenizerPath, initInternLM2, makeInternLM2Config, saveHfModel } from '@puyu/model';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface ModelShape {
  hidden: number;
  layers: number;
  /** GGUF tensor type of the matrices. */
  type: 'f16' | 'q8_0' | 'f32';
}

/** A cached GGUF of the given shape (vocab = the shipped 2048-piece tokenizer). */
export async function benchModel(shape: ModelShape): Promise<string> {
  const tokenizer = defaultTokenizerPath();
  if (!tokenizer) throw new Error('the shipped tokenizer packages/model/assets/puyu-tiny.model is missing');
  const dir = join(tmpdir(), 'puyu-bench-serve');
  const gguf = join(dir, `internlm2-h${shape.hidden}-l${shape.layers}-${shape.type}.gguf`);
  if (existsSync(gguf)) return gguf;
  const heads = Math.max(1, shape.hidden / 64);
  const config = makeInternLM2Config({
    vocab_size: 2048,
    hidden_size: shape.hidden,
    // InternLM2's ≈ 8/3·hidden FFN, rounded to a multiple of 64
    intermediate_size: Math.round((shape.hidden * 8) / 3 / 64) * 64,
    num_hidden_layers: shape.layers,
    num_attention_heads: heads,
    num_key_value_heads: Math.max(1, heads / 4),
    max_position_embeddings: 4096,
    rope_theta: 1e6,
    rms_norm_eps: 1e-5,
    tie_word_embeddings: false,
  });
  mkdirSync(dir, { recursive: true });
  const hf = join(dir, `hf-${process.pid}`);
  try {
    await saveHfModel(hf, config, initInternLM2(config, { seed: 7 }), { tokenizer });
    const tmp = `${gguf}.${process.pid}.tmp`;
    await convertHfToGguf(hf, tmp, { type: shape.type });
    renameSync(tmp, gguf); // atomic: a parallel run never sees half a file
  } finally {
    rmSync(hf, { recursive: true, force: true });
  }
  return gguf;
}

/** The shipped corpus tokenized once: prompts are windows of it. */
let corpus: number[] | undefined;
function corpusTokens(): number[] {
  if (corpus) return corpus;
  const tok = loadTokenizer(defaultTokenizerPath() as string);
  const text = readFileSync(join(ROOT, 'packages/model/assets/corpus/devils-dictionary.txt'), 'utf8');
  corpus = tok.encode(text.replace(/\s+/g, ' '));
  return corpus;
}

/**
 * Prompt `i` of a run: `length` corpus tokens at a position only `i` determines, so peers get the
 * same prompts whatever order they run in, and consecutive prompts share no prefix (neither
 * server's prompt cache can skip work the other has to do).
 */
export function promptTokens(i: number, length: number): number[] {
  const c = corpusTokens();
  const start = (i * 7919 * length) % (c.length - length);
  return c.slice(start, start + length);
}
