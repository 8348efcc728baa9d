/**
 * Makes packages/formats/src/gguf/fixtures/tiny-internlm2-q4_k_m.gguf: a tiny random
 * InternLM2 model written as F32 by our GgufWriter, then quantized to Q4_K_M by llama.cpp's
 * own `llama_model_quantize` (libllama from @node-llama-cpp/linux-x64, through @puyu/ggml).
 * The result is a GGUF file produced by llama.cpp, which the default test suite opens.
 *
 *   npx tsx scripts/make-q4km-fixture.ts [outPath]
 *
 * Dims are multiples of 256 so every matrix gets a K-quant (Q4_K, and Q6_K where Q4_K_M
 * spends more bits: output.weight, some attn_v / ffn_down).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeGguf } from '../packages/formats/src/gguf/describeGguf.js';
import { GgufFile } from '../packages/formats/src/gguf/GgufFile.js';
import { GgufWriter } from '../packages/formats/src/gguf/GgufWriter.js';
import { GgmlType } from '../packages/formats/src/gguf/ggml-type.js';
import { GgufValueType, gv } from '../packages/formats/src/gguf/types.js';
import { quantizeGgufModel } from '../packages/ggml/src/quantize.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = resolve(process.argv[2] ?? join(ROOT, 'packages/formats/src/gguf/fixtures/tiny-internlm2-q4_k_m.gguf'));

const cfg = { nEmbd: 256, nHead: 4, nHeadKv: 2, nFf: 256, nLayer: 2, nVocab: 512, nCtx: 512 };

/** Deterministic weights (xorshift32), uniform in ±scale: the fixture must be reproducible. */
function weights(n: number, seed: number, scale = 0.05): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

/**
 * A minimal SentencePiece-style vocabulary: <unk>, <s>, </s>, the InternLM2 chat markers,
 * the 256 byte-fallback pieces (llama.cpp's SPM vocab looks up <0x0A> at load and aborts
 * without it), then plain pieces.
 */
function vocab(): { tokens: string[]; scores: number[]; types: number[] } {
  const special = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'];
  const bytes = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  const tokens = [...special, ...bytes];
  for (let i = 0; tokens.length < cfg.nVocab; i++) tokens.push(i < 26 ? `▁${String.fromCharCode(97 + i)}` : `▁t${i}`);
  const firstPiece = special.length + bytes.length;
  const scores = tokens.map((_, i) => (i < firstPiece ? 0 : -i));
  // llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte.
  const types = tokens.map((_, i) => (i === 0 ? 2 : i < special.length ? 3 : i < firstPiece ? 6 : 1));
  return { tokens, scores, types };
}

async function writeF32(path: string): Promise<void> {
  const { nEmbd, nHead, nHeadKv, nFf, nLayer, nVocab } = cfg;
  const kvDim = (nEmbd / nHead) * nHeadKv;
  const v = vocab();
  const w = new GgufWriter()
    .set('general.architecture', gv.str('internlm2'))
    .set('general.name', gv.str('puyu tiny internlm2 fixture'))
    .set('general.file_type', gv.u32(0))
    .set('internlm2.context_length', gv.u32(cfg.nCtx))
    .set('internlm2.embedding_length', gv.u32(nEmbd))
    .set('internlm2.block_count', gv.u32(nLayer))
    .set('internlm2.feed_forward_length', gv.u32(nFf))
    .set('internlm2.rope.freq_base', gv.f32(1e6))
    .set('internlm2.attention.head_count', gv.u32(nHead))
    .set('internlm2.attention.head_count_kv', gv.u32(nHeadKv))
    .set('internlm2.attention.layer_norm_rms_epsilon', gv.f32(1e-5))
    .set('tokenizer.ggml.model', gv.str('llama'))
    .set('tokenizer.ggml.tokens', gv.strings(v.tokens))
    .set('tokenizer.ggml.scores', gv.f32s(v.scores))
    .set('tokenizer.ggml.token_type', gv.array(GgufValueType.INT32, v.types))
    .set('tokenizer.ggml.unknown_token_id', gv.u32(0))
    .set('tokenizer.ggml.bos_token_id', gv.u32(1))
    .set('tokenizer.ggml.eos_token_id', gv.u32(2))
    .set('tokenizer.ggml.add_bos_token', gv.bool(true));
  let seed = 1;
  const mat = (name: string, ne0: number, ne1: number) => w.addTensor(name, [ne0, ne1], weights(ne0 * ne1, seed++));
  const ones = (name: string, n: number) => w.addTensor(name, [n], new Float32Array(n).fill(1));
  mat('token_embd.weight', nEmbd, nVocab);
  for (let i = 0; i < nLayer; i++) {
    ones(`blk.${i}.attn_norm.weight`, nEmbd);
    mat(`blk.${i}.attn_q.weight`, nEmbd, nEmbd);
    mat(`blk.${i}.attn_k.weight`, nEmbd, kvDim);
    mat(`blk.${i}.attn_v.weight`, nEmbd, kvDim);
    mat(`blk.${i}.attn_output.weight`, nEmbd, nEmbd);
    ones(`blk.${i}.ffn_norm.weight`, nEmbd);
    mat(`blk.${i}.ffn_gate.weight`, nEmbd, nFf);
    mat(`blk.${i}.ffn_up.weight`, nEmbd, nFf);
    mat(`blk.${i}.ffn_down.weight`, nFf, nEmbd);
  }
  ones('output_norm.weight', nEmbd);
  mat('output.weight', nEmbd, nVocab);
  await w.write(path);
}

const tmp = await mkdtemp(join(tmpdir(), 'puyu-q4km-'));
try {
  const f32 = join(tmp, 'tiny-f32.gguf');
  await writeF32(f32);
  // libllama's own quantizer (through @puyu/ggml), so the K-quants are exactly llama.cpp's
  quantizeGgufModel(f32, OUT, 'q4_k_m', { threads: 1 });
} finally {
  await rm(tmp, { recursive: true, force: true });
}
const f = await GgufFile.open(OUT);
console.log(describeGguf(f, { tensors: true }));
const counts = new Map<GgmlType, number>();
for (const t of f.tensors) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
await f.close();
if (!counts.get(GgmlType.Q4_K) || !counts.get(GgmlType.Q6_K)) throw new Error('expected both Q4_K and Q6_K tensors');
console.log(`\nwrote ${OUT} (${(await stat(OUT)).size} bytes)`);
