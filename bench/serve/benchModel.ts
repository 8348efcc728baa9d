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
  const gguf = join(dir, `internlm2-h${shape.hidden}-l${shape.layers}-${shape.type}-textonly.gguf`);
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
    const weights = initInternLM2(config, { seed: 7 });
    // A random model emits byte-fallback pieces (<0xE4> …) that decode to invalid UTF-8; llama-server
    // then fails to parse its own output and drops the stream mid-request. Zero output rows score 0
    // where the ~1,800 text pieces score ±: greedy decoding never picks them, and every
    // generated piece is whole UTF-8 text for both servers.
    const tok = loadTokenizer(tokenizer);
    const out = weights.get('output.weight');
    if (!out) throw new Error('the model has no separate output matrix');
    for (let id = 0; id < 2048; id++) {
      if (id === tok.unkId || id === tok.bosId || id === tok.eosId || /^<0x[0-9A-F]{2}>$/.test(tok.idToPiece(id)))
        out.data.fill(0, id * shape.hidden, (id + 1) * shape.hidden);
    }
    await saveHfModel(hf, config, weights, { tokenizer });
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
