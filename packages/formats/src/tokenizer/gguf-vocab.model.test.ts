import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { getLlama, type Llama, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgufWriter } from '../gguf/GgufWriter.js';
import { type GgufMetadata, gv } from '../gguf/types.js';
import { sentencePieceToGgufVocab } from './gguf-vocab.js';
import { loadHfTokenizer } from './hf-tokenizer.js';
import { decodeModelProto, PieceType } from './sentencepiece-proto.js';
import { SentencePieceTokenizer } from './sentencepiece-tokenizer.js';
import { EXTRA_LINES, goldenCorpus, REPO_ROOT } from './train/golden-spec.js';

/**
 * llama.cpp (through node-llama-cpp) must tokenize with our exported vocabulary exactly
 * as our SentencePiece tokenizer does: for the real InternLM2 tokenizer and for the
 * model our trainer made (the shipped puyu-tiny.model).
 */
const HF = INTERNLM2_TOKENIZER_DIR;
const hasHf = existsSync(join(HF, 'tokenizer.model'));
if (!hasHf) console.warn(`skipping the InternLM2 llama.cpp vocab parity: ${HF} not found`);
const TINY = join(REPO_ROOT, 'packages/model/assets/puyu-tiny.model');

/** A complete tiny internlm2 model (1 layer, d=8) around the vocabulary, so llama.cpp accepts the file. */
async function writeVocabGguf(path: string, vocab: GgufMetadata): Promise<void> {
  const n = (vocab.get('tokenizer.ggml.tokens') as { items: unknown[] }).items.length;
  const d = 8;
  const ff = 16;
  const w = new GgufWriter();
  w.set('general.architecture', gv.str('internlm2'));
  w.set('general.name', gv.str('vocab-parity'));
  w.set('internlm2.context_length', gv.u32(256));
  w.set('internlm2.embedding_length', gv.u32(d));
  w.set('internlm2.block_count', gv.u32(1));
  w.set('internlm2.feed_forward_length', gv.u32(ff));
  w.set('internlm2.attention.head_count', gv.u32(2));
  w.set('internlm2.attention.head_count_kv', gv.u32(2));
  w.set('internlm2.attention.layer_norm_rms_epsilon', gv.f32(1e-5));
  w.set('internlm2.rope.freq_base', gv.f32(10000));
  w.setAll(vocab);
  let seed = 1;
  const rand = (len: number) =>
    Float32Array.from({ length: len }, () => {
      seed = (seed * 16807) % 2147483647;
      return (seed / 2147483647 - 0.5) * 0.1;
    });
  const ones = (len: number) => new Float32Array(len).fill(1);
  w.addTensor('token_embd.weight', [d, n], rand(d * n));
  w.addTensor('output_norm.weight', [d], ones(d));
  w.addTensor('output.weight', [d, n], rand(d * n));
  w.addTensor('blk.0.attn_norm.weight', [d], ones(d));
  for (const t of ['attn_q', 'attn_k', 'attn_v', 'attn_output']) w.addTensor(`blk.0.${t}.weight`, [d, d], rand(d * d));
  w.addTensor('blk.0.ffn_norm.weight', [d], ones(d));
  w.addTensor('blk.0.ffn_gate.weight', [d, ff], rand(d * ff));
  w.addTensor('blk.0.ffn_up.weight', [d, ff], rand(d * ff));
  w.addTensor('blk.0.ffn_down.weight', [ff, d], rand(d * ff));
  await w.write(path);
}

/** Mixed text: held-out prose and poems, code, emoji, odd whitespace, chat markup, InternLM2 goldens. */
function parityLines(): string[] {
  const goldens = gunzipSync(readFileSync(join(REPO_ROOT, 'packages/formats/src/tokenizer/fixtures/internlm2-goldens.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text?: string }).text)
    .filter((t): t is string => typeof t === 'string');
  const chat = [
    '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n写一首关于春天的诗<|im_end|>\n<|im_start|>assistant\n',
    '<|im_start|>assistant\nLet me check.<|action_start|><|plugin|>\n{"name": "get_weather", "parameters": {"location": "Shanghai"}}<|action_end|><|im_end|>',
    '<|im_start|>environment name=<|plugin|>\n{"temperature": 22}<|im_end|>',
    'text<|im_end|>more text<|im_start|> spaced <|im_end|>',
  ];
  const all = [...goldenCorpus().heldOut.slice(0, 300), ...EXTRA_LINES, ...chat, ...goldens.slice(0, 400)];
  // llama.cpp reads the text as a C string (NUL ends it), and writes the "\x00" piece as 🐉.
  return all.filter((t) => !t.includes('\u0000') && !t.includes('🐉'));
}

describe('llama.cpp tokenizes our GGUF vocabularies exactly like our tokenizer', () => {
  let llama: Llama;
  const dir = mkdtempSync(join(tmpdir(), 'puyu-vocab-gguf-'));
  const lines = parityLines();
  const models: LlamaModel[] = [];

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  });
  afterAll(async () => {
    for (const m of models) await m.dispose();
    await llama?.dispose();
  });

  /**
   * Compares every line with and without special-token parsing. llama.cpp differs from
   * SentencePiece on the literal text of a few marker tokens: it forces end-of-generation
   * markers such as <|im_end|> to CONTROL (so a user-defined <|im_end|> is not matched in
   * plain text), its merges may build a CONTROL token such as <s> out of "<", "s", ">", and
   * with special parsing it matches every CONTROL token's text. Those markers are listed per
   * mode (and asserted by the caller); lines containing one are skipped in that mode only.
   */
  async function compare(tok: SentencePieceTokenizer, vocab: GgufMetadata, name: string): Promise<[string[], string[]]> {
    const path = join(dir, `${name}.gguf`);
    await writeVocabGguf(path, vocab);
    const model = await llama.loadModel({ modelPath: path, vocabOnly: true });
    models.push(model);
    const markers = [
      ...new Set(
        tok.proto.pieces
          .filter((p) => p.type !== undefined && p.type !== PieceType.NORMAL && p.type !== PieceType.BYTE)
          .map((p) => p.piece ?? '')
          .concat(tok.addedTokens.map((a) => a.content))
          .filter((m) => m !== ''),
      ),
    ];
    const same = (text: string, special: boolean) =>
      JSON.stringify(Array.from(model.tokenize(text, special))) === JSON.stringify(tok.encode(text, { parseSpecial: special }));
    const divergent = [markers.filter((m) => !same(m, false)), markers.filter((m) => !same(m, true))] as [string[], string[]];
    const counts = [0, 0];
    let chat = 0;
    for (const text of lines) {
      for (const [mode, special] of [false, true].entries()) {
        if ((divergent[mode] as string[]).some((m) => text.includes(m))) continue;
        const label = `${special ? 'special' : 'plain'} ${JSON.stringify(text)}`;
        expect(Array.from(model.tokenize(text, special)), label).toEqual(tok.encode(text, { parseSpecial: special }));
        (counts[mode] as number)++;
      }
      if (text.includes('<|im_start|>')) chat++;
    }
    console.log(
      `${name}: ${counts[0]}/${lines.length} lines equal without special parsing, ${counts[1]} with; ` +
        `llama.cpp-specific markers: plain [${divergent[0].join(' ')}], special [${divergent[1].join(' ')}]`,
    );
    expect(lines.length).toBeGreaterThan(500);
    expect(Math.min(...counts)).toBeGreaterThan(500);
    expect(chat).toBeGreaterThanOrEqual(4);
    return divergent;
  }

  it.skipIf(!hasHf)('the real InternLM2 tokenizer (HF folder, chat markers as specials)', async () => {
    const { tokenizer } = loadHfTokenizer(HF);
    const vocab = sentencePieceToGgufVocab(decodeModelProto(readFileSync(join(HF, 'tokenizer.model'))), {
      tokenizerConfig: JSON.parse(readFileSync(join(HF, 'tokenizer_config.json'), 'utf8')),
      config: JSON.parse(readFileSync(join(HF, 'config.json'), 'utf8')),
    });
    // The converter overwrites ids 92538–92543 ("[UNUSED_TOKEN_141]"…, user-defined in
    // SentencePiece) with the chat markers, so the old names no longer exist in llama.cpp.
    const overwritten = [141, 142, 143, 144, 145, 146].map((i) => `[UNUSED_TOKEN_${i}]`);
    expect(await compare(tokenizer, vocab, 'internlm2')).toEqual([['<s>', ...overwritten], overwritten]);
    const m = models.at(-1) as LlamaModel;
    expect(m.tokens.eos).toBe(92542);
    expect(m.tokens.bos).toBe(1);
  });

  it('puyu-tiny.model, trained by our BPE trainer (user-defined chat markers)', async () => {
    const tok = SentencePieceTokenizer.load(TINY);
    expect(await compare(tok, sentencePieceToGgufVocab(tok.proto), 'puyu-tiny')).toEqual([['<|im_end|>'], ['<unk>', '<s>', '</s>']]);
  });
});
