import { ModelError } from '@puyu/core';
import { type GgufMetadata, type GgufWriteResult, GgufWriter, gv } from '@puyu/formats';
import { type InternLM2Config, internLM2ConfigToJson, internLM2Dims } from '../config.js';
import { internLM2TensorSpecs, layerTensorNames, TOK_EMBEDDINGS } from '../weights.js';
import { GGUF_ARCH, GGUF_OUTPUT_TYPES, type GgufOutputType, hfToGgufName, KV, tensorTypeFor } from './gguf-names.js';
import { permuteForLlamaRope, splitWqkv } from './qkv.js';

/** Where tensor values come from: an HF folder read lazily, or weights in memory. */
export interface TensorSource {
  readF32(hfName: string): Promise<Float32Array> | Float32Array;
}

export interface BuildGgufOptions {
  /** Storage type of the matrices (default f32). */
  type?: GgufOutputType;
  /** `general.name`. */
  name?: string;
  /** `tokenizer.*` metadata (from the vocab exporter); without it llama.cpp cannot load the file. */
  tokenizer?: GgufMetadata;
  /** Called as each tensor is encoded (for progress bars). */
  onTensor?: (done: number, total: number, name: string) => void;
}

/** The `general.*` and `internlm2.*` metadata for a config. */
export function internLM2GgufMetadata(c: InternLM2Config, type: GgufOutputType, name: string): GgufMetadata {
  const d = internLM2Dims(c);
  const m: GgufMetadata = new Map();
  m.set('general.architecture', gv.str(GGUF_ARCH));
  m.set('general.name', gv.str(name));
  m.set('general.file_type', gv.u32(GGUF_OUTPUT_TYPES[type].fileType));
  m.set('general.quantization_version', gv.u32(2)); // GGML_QNT_VERSION, as llama.cpp's converter writes
  m.set(KV.contextLength, gv.u32(c.max_position_embeddings));
  m.set(KV.embeddingLength, gv.u32(c.hidden_size));
  m.set(KV.blockCount, gv.u32(c.num_hidden_layers));
  m.set(KV.feedForwardLength, gv.u32(c.intermediate_size));
  m.set(KV.headCount, gv.u32(c.num_attention_heads));
  m.set(KV.headCountKv, gv.u32(c.num_key_value_heads));
  m.set(KV.ropeFreqBase, gv.f32(c.rope_theta));
  m.set(KV.ropeDimensionCount, gv.u32(d.headDim));
  m.set(KV.rmsEps, gv.f32(c.rms_norm_eps));
  m.set(KV.vocabSize, gv.u32(c.vocab_size));
  if (c.rope_scaling?.type === 'linear') {
    m.set(KV.ropeScalingType, gv.str('linear'));
    m.set(KV.ropeScalingFactor, gv.f32(c.rope_scaling.factor));
  } else if (c.rope_scaling?.type === 'dynamic') {
    m.set(KV.puyuRopeScalingType, gv.str('dynamic'));
    m.set(KV.puyuRopeScalingFactor, gv.f32(c.rope_scaling.factor));
  }
  m.set(KV.puyuTieWordEmbeddings, gv.bool(c.tie_word_embeddings));
  m.set(KV.puyuHfConfig, gv.str(JSON.stringify(internLM2ConfigToJson(c))));
  return m;
}

/** GGUF keeps ggml order: ne[0] is the row length, the reverse of PyTorch's shape. */
function ne(shape: readonly number[]): number[] {
  return [...shape].reverse();
}

/**
 * Lays out an InternLM2 GGUF: metadata, then tensors in llama.cpp's order with wqkv
 * split into attn_q/k/v (Q and K rows permuted for llama.cpp's RoPE). Tensor data
 * is produced lazily while the writer streams the file, one layer's wqkv in memory at a time.
 */
export function buildInternLM2Gguf(c: InternLM2Config, src: TensorSource, opts: BuildGgufOptions = {}): GgufWriter {
  const out = opts.type ?? 'f32';
  const d = internLM2Dims(c);
  const h = c.hidden_size;
  const w = new GgufWriter();
  w.setAll(internLM2GgufMetadata(c, out, opts.name ?? 'InternLM2'));
  if (opts.tokenizer) w.setAll(opts.tokenizer);

  const specs = internLM2TensorSpecs(c);
  const total = specs.length + 2 * c.num_hidden_layers + (c.tie_word_embeddings ? 1 : 0);
  let done = 0;
  const add = (ggufName: string, shape: number[], read: () => Promise<Float32Array>) => {
    w.addTensor(
      ggufName,
      ne(shape),
      async () => {
        const v = await read();
        opts.onTensor?.(++done, total, ggufName);
        return v;
      },
      tensorTypeFor(out, shape),
    );
  };
  const read = async (name: string) => src.readF32(name);

  // One layer's split is kept until its V is written, so wqkv is read once per layer.
  let memo: { layer: number; q: Float32Array; k: Float32Array; v: Float32Array } | undefined;
  const qkvOf = async (layer: number) => {
    if (memo?.layer !== layer) {
      const s = splitWqkv(await read(layerTensorNames(layer).wqkv), d, h);
      memo = {
        layer,
        q: permuteForLlamaRope(s.q, d.nHeads, d.headDim, h),
        k: permuteForLlamaRope(s.k, d.nKvHeads, d.headDim, h),
        v: s.v,
      };
    }
    return memo;
  };

  for (const s of specs) {
    const m = /^model\.layers\.(\d+)\.attention\.wqkv\.weight$/.exec(s.name);
    if (m) {
      const layer = Number(m[1]);
      const p = `blk.${layer}`;
      add(`${p}.attn_q.weight`, [d.nHeads * d.headDim, h], async () => (await qkvOf(layer)).q);
      add(`${p}.attn_k.weight`, [d.nKvHeads * d.headDim, h], async () => (await qkvOf(layer)).k);
      add(`${p}.attn_v.weight`, [d.nKvHeads * d.headDim, h], async () => {
        const v = (await qkvOf(layer)).v;
        memo = undefined;
        return v;
      });
      continue;
    }
    const g = hfToGgufName(s.name);
    if (g === undefined) throw new ModelError('MODEL_UNMAPPED_TENSOR', `no GGUF name for tensor ${s.name}.`);
    add(g, s.shape, () => read(s.name));
  }
  // llama.cpp's internlm2 requires `output`; tied checkpoints store the embeddings again.
  if (c.tie_word_embeddings) add('output.weight', [c.vocab_size, h], () => read(TOK_EMBEDDINGS));
  return w;
}

/** Builds and writes the GGUF file. */
export async function writeInternLM2Gguf(
  path: string,
  c: InternLM2Config,
  src: TensorSource,
  opts: BuildGgufOptions = {},
): Promise<GgufWriteResult> {
  return buildInternLM2Gguf(c, src, opts).write(path);
}
