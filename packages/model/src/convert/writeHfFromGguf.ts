import { join } from 'node:path';
import { ModelError } from '@puyu/core';
import {
  DEFAULT_MAX_SHARD_BYTES,
  decodeModelProto,
  type GgufFile,
  type SafetensorsTensorInput,
  writeSafetensors,
  writeShardedSafetensors,
} from '@puyu/formats';
import { type InternLM2Config, internLM2Dims, parseInternLM2Config } from '../config.js';
import { type HfDtype, writeHfSidecars } from '../hf/saveHfModel.js';
import { checkTensorShape, internLM2TensorSpecs } from '../weights.js';
import { GGUF_ARCH, KV } from './gguf-names.js';
import { packWqkv, unpermuteFromLlamaRope } from './qkv.js';

/** The shortest decimal that rounds to the same f32 (GGUF stores eps/theta as f32: 1e-5, not 9.9999997e-6). */
export function shortestF32(v: number): number {
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === Math.fround(v)) return d;
  }
  return v;
}

/** Rebuilds the HF config of an InternLM2 GGUF from its `internlm2.*` keys. */
export function internLM2ConfigFromGguf(f: GgufFile): InternLM2Config {
  if (f.architecture !== GGUF_ARCH) {
    throw new ModelError(
      'MODEL_UNKNOWN_ARCHITECTURE',
      `${f.path} is a "${f.architecture ?? '(no general.architecture)'}" GGUF; only "${GGUF_ARCH}" models convert to InternLM2 HF folders.`,
    );
  }
  const need = (key: string): number => {
    const v = f.getNumber(key);
    if (v === undefined)
      throw new ModelError('MODEL_GGUF_MISSING_KEY', `${f.path} lacks metadata ${key}; it is not a complete InternLM2 GGUF.`);
    return v;
  };
  const embd = f.requireTensor('token_embd.weight');
  const stored = f.getString(KV.puyuHfConfig);
  const base = stored ? (JSON.parse(stored) as Record<string, unknown>) : {};
  let ropeScaling: { type: string; factor: number } | null = null;
  const linear = f.getString(KV.ropeScalingType);
  if (linear === 'linear') ropeScaling = { type: 'linear', factor: shortestF32(need(KV.ropeScalingFactor)) };
  const dyn = f.getString(KV.puyuRopeScalingType);
  if (dyn === 'dynamic') ropeScaling = { type: 'dynamic', factor: shortestF32(need(KV.puyuRopeScalingFactor)) };
  const num = (key: string) => {
    const v = f.getNumber(key);
    return v === undefined ? undefined : Number(v);
  };
  const raw = {
    ...base,
    architectures: ['InternLM2ForCausalLM'],
    model_type: 'internlm2',
    vocab_size: embd.ne[1],
    hidden_size: need(KV.embeddingLength),
    intermediate_size: need(KV.feedForwardLength),
    num_hidden_layers: need(KV.blockCount),
    num_attention_heads: need(KV.headCount),
    num_key_value_heads: f.getNumber(KV.headCountKv) ?? need(KV.headCount),
    max_position_embeddings: need(KV.contextLength),
    rms_norm_eps: shortestF32(need(KV.rmsEps)),
    rope_theta: shortestF32(f.getNumber(KV.ropeFreqBase) ?? 10000),
    rope_scaling: ropeScaling,
    tie_word_embeddings: f.getBool(KV.puyuTieWordEmbeddings) ?? false,
    bos_token_id: num('tokenizer.ggml.bos_token_id') ?? base.bos_token_id ?? 1,
    eos_token_id: base.eos_token_id ?? num('tokenizer.ggml.eos_token_id') ?? 2,
    pad_token_id: num('tokenizer.ggml.padding_token_id') ?? base.pad_token_id ?? 0,
  };
  return parseInternLM2Config(raw, `${f.path} (metadata)`);
}

/** Reads a GGUF tensor as fp32 in PyTorch layout, checking its shape. */
async function readTorch(f: GgufFile, name: string, shape: number[]): Promise<Float32Array> {
  const t = f.tensor(name);
  if (!t) throw new ModelError('MODEL_MISSING_TENSORS', `${f.path} lacks tensor ${name}.`, { details: { missing: [name] } });
  checkTensorShape(name, [...t.ne].reverse(), shape);
  return f.readTensorF32(name);
}

export interface GgufToHfOptions {
  /** Storage dtype of model.safetensors (default F32; quantized GGUFs are dequantized). */
  dtype?: HfDtype;
  /** tokenizer.model bytes rebuilt from the GGUF vocabulary, if any. */
  tokenizer?: Uint8Array;
  /** Shard like HF's save_pretrained once the weights exceed this many bytes (default 5 GB). */
  maxShardBytes?: number;
  onTensor?: (done: number, total: number, name: string) => void;
}

/**
 * Writes an HF InternLM2 folder from an open GGUF: the exact inverse of
 * buildInternLM2Gguf (Q/K un-permuted, attn_q|k|v re-packed into wqkv), so an F32
 * GGUF round-trips bit-identically.
 */
export async function writeHfFromGguf(f: GgufFile, outDir: string, opts: GgufToHfOptions = {}): Promise<InternLM2Config> {
  const c = internLM2ConfigFromGguf(f);
  const d = internLM2Dims(c);
  const h = c.hidden_size;
  const dtype = opts.dtype ?? 'F32';
  const specs = internLM2TensorSpecs(c);
  // Fail on missing/mis-shaped tensors before writing anything.
  const ggufSpecs = internLM2GgufTensorSpecs(c);
  const missing = ggufSpecs.filter((s) => !f.tensor(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    throw new ModelError(
      'MODEL_MISSING_TENSORS',
      `${f.path} lacks tensors ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.`,
      {
        details: { missing },
      },
    );
  }
  for (const s of ggufSpecs) checkTensorShape(s.name, [...(f.tensor(s.name)?.ne ?? [])].reverse(), s.shape);
  if (opts.tokenizer) {
    const pieces = decodeModelProto(opts.tokenizer).pieces.length;
    if (pieces > c.vocab_size) {
      throw new ModelError(
        'MODEL_VOCAB_MISMATCH',
        `${f.path}: the tokenizer has ${pieces} tokens but token_embd has ${c.vocab_size} rows; the file is inconsistent.`,
      );
    }
  }
  await writeHfSidecars(outDir, c, opts.tokenizer, dtype, f.getBool(KV.puyuUseDefaultSystemPrompt));
  let done = 0;
  const tensors: SafetensorsTensorInput[] = specs.map((s) => ({
    name: s.name,
    dtype,
    shape: s.shape,
    data: async () => {
      const v = await readHfTensor(f, c, s.name, s.shape, d, h);
      opts.onTensor?.(++done, specs.length, s.name);
      return v;
    },
  }));
  const bytesPer = dtype === 'F32' ? 4 : 2;
  const total = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * bytesPer, 0);
  const maxShard = opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  if (total > maxShard) await writeShardedSafetensors(outDir, tensors, { maxShardBytes: maxShard });
  else await writeSafetensors(join(outDir, 'model.safetensors'), tensors, { format: 'pt' });
  return c;
}

/** Every GGUF tensor an InternLM2 file must hold, with its shape in PyTorch order (reversed ne). */
export function internLM2GgufTensorSpecs(c: InternLM2Config): { name: string; shape: number[] }[] {
  const d = internLM2Dims(c);
  const h = c.hidden_size;
  const ff = c.intermediate_size;
  const specs = [
    { name: 'token_embd.weight', shape: [c.vocab_size, h] },
    { name: 'output_norm.weight', shape: [h] },
    { name: 'output.weight', shape: [c.vocab_size, h] },
  ];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `blk.${i}`;
    specs.push(
      { name: `${p}.attn_norm.weight`, shape: [h] },
      { name: `${p}.attn_q.weight`, shape: [d.nHeads * d.headDim, h] },
      { name: `${p}.attn_k.weight`, shape: [d.nKvHeads * d.headDim, h] },
      { name: `${p}.attn_v.weight`, shape: [d.nKvHeads * d.headDim, h] },
      { name: `${p}.attn_output.weight`, shape: [h, h] },
      { name: `${p}.ffn_norm.weight`, shape: [h] },
      { name: `${p}.ffn_gate.weight`, shape: [ff, h] },
      { name: `${p}.ffn_up.weight`, shape: [ff, h] },
      { name: `${p}.ffn_down.weight`, shape: [h, ff] },
    );
  }
  return specs;
}

async function readHfTensor(
  f: GgufFile,
  c: InternLM2Config,
  hfName: string,
  shape: number[],
  d: ReturnType<typeof internLM2Dims>,
  h: number,
): Promise<Float32Array> {
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(hfName);
  if (m && m[2] === 'attention.wqkv.weight') {
    const p = `blk.${m[1]}`;
    const q = unpermuteFromLlamaRope(await readTorch(f, `${p}.attn_q.weight`, [d.nHeads * d.headDim, h]), d.nHeads, d.headDim, h);
    const k = unpermuteFromLlamaRope(await readTorch(f, `${p}.attn_k.weight`, [d.nKvHeads * d.headDim, h]), d.nKvHeads, d.headDim, h);
    const v = await readTorch(f, `${p}.attn_v.weight`, [d.nKvHeads * d.headDim, h]);
    return packWqkv(q, k, v, d, h);
  }
  const map: Record<string, string> = {
    'model.tok_embeddings.weight': 'token_embd.weight',
    'model.norm.weight': 'output_norm.weight',
    'output.weight': 'output.weight',
  };
  let g = map[hfName];
  if (!g && m) {
    const sub: Record<string, string> = {
      'attention.wo.weight': 'attn_output',
      'feed_forward.w1.weight': 'ffn_gate',
      'feed_forward.w3.weight': 'ffn_up',
      'feed_forward.w2.weight': 'ffn_down',
      'attention_norm.weight': 'attn_norm',
      'ffn_norm.weight': 'ffn_norm',
    };
    g = `blk.${m[1]}.${sub[m[2]]}.weight`;
  }
  if (!g) throw new ModelError('MODEL_UNMAPPED_TENSOR', `no GGUF tensor for ${hfName} (vocab ${c.vocab_size}).`);
  return readTorch(f, g, shape);
}
