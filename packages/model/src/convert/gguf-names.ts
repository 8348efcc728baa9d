import { ModelError } from '@puyu/core';
import { GgmlType } from '@puyu/formats';

/** GGUF architecture string llama.cpp registers for InternLM2 (LLM_ARCH_INTERNLM2). */
export const GGUF_ARCH = 'internlm2';

/** `internlm2.*` hyper-parameter keys (llama.cpp's LLM_KV names with the arch prefix). */
export const KV = {
  contextLength: `${GGUF_ARCH}.context_length`,
  embeddingLength: `${GGUF_ARCH}.embedding_length`,
  blockCount: `${GGUF_ARCH}.block_count`,
  feedForwardLength: `${GGUF_ARCH}.feed_forward_length`,
  headCount: `${GGUF_ARCH}.attention.head_count`,
  headCountKv: `${GGUF_ARCH}.attention.head_count_kv`,
  rmsEps: `${GGUF_ARCH}.attention.layer_norm_rms_epsilon`,
  ropeFreqBase: `${GGUF_ARCH}.rope.freq_base`,
  ropeDimensionCount: `${GGUF_ARCH}.rope.dimension_count`,
  ropeScalingType: `${GGUF_ARCH}.rope.scaling.type`,
  ropeScalingFactor: `${GGUF_ARCH}.rope.scaling.factor`,
  vocabSize: `${GGUF_ARCH}.vocab_size`,
  /**
   * llama.cpp has no dynamic-NTK RoPE and aborts on an unknown `rope.scaling.type`,
   * so dynamic scaling travels in Puyu's own keys (ignored by llama.cpp, which then
   * runs plain RoPE — identical to HF up to max_position_embeddings).
   */
  puyuRopeScalingType: 'puyu.rope_scaling.type',
  puyuRopeScalingFactor: 'puyu.rope_scaling.factor',
  /** The HF config.json this GGUF came from, so GGUF → HF restores fields GGUF has no key for. */
  puyuHfConfig: 'puyu.hf_config',
  /** GGUF always carries `output`; this records that HF tied it to the embeddings. */
  puyuTieWordEmbeddings: 'puyu.tie_word_embeddings',
  /**
   * Whether a chat server should put InternLM2's default system prompt (meta instruction) ahead of
   * a conversation that has no system turn: false for models fine-tuned without one (ours, XTuner's
   * template). From / to tokenizer_config.json's `use_default_system_prompt` (HF's Llama key).
   */
  puyuUseDefaultSystemPrompt: 'puyu.chat.use_default_system_prompt',
} as const;

/** HF tensor name ⇄ GGUF tensor name for everything except the packed wqkv. */
export function hfToGgufName(hf: string): string | undefined {
  if (hf === 'model.tok_embeddings.weight') return 'token_embd.weight';
  if (hf === 'model.norm.weight') return 'output_norm.weight';
  if (hf === 'output.weight') return 'output.weight';
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(hf);
  if (!m) return undefined;
  const sub: Record<string, string> = {
    'attention.wo.weight': 'attn_output.weight',
    'feed_forward.w1.weight': 'ffn_gate.weight',
    'feed_forward.w3.weight': 'ffn_up.weight',
    'feed_forward.w2.weight': 'ffn_down.weight',
    'attention_norm.weight': 'attn_norm.weight',
    'ffn_norm.weight': 'ffn_norm.weight',
  };
  const s = sub[m[2]];
  return s === undefined ? undefined : `blk.${m[1]}.${s}`;
}

/** GGUF output types a user may ask for, with llama.cpp's `general.file_type` (LLAMA_FTYPE_*). */
export const GGUF_OUTPUT_TYPES = {
  f32: { type: GgmlType.F32, fileType: 0 },
  f16: { type: GgmlType.F16, fileType: 1 },
  bf16: { type: GgmlType.BF16, fileType: 32 },
  q8_0: { type: GgmlType.Q8_0, fileType: 7 },
  q4_0: { type: GgmlType.Q4_0, fileType: 2 },
} as const;

export type GgufOutputType = keyof typeof GGUF_OUTPUT_TYPES;

export function parseGgufOutputType(s: string): GgufOutputType {
  const k = s.toLowerCase();
  if (k in GGUF_OUTPUT_TYPES) return k as GgufOutputType;
  throw new ModelError(
    'MODEL_BAD_OUTPUT_TYPE',
    `unknown GGUF output type "${s}"; choose one of ${Object.keys(GGUF_OUTPUT_TYPES).join(', ')}.`,
  );
}

/**
 * The ggml type one tensor is stored as. As llama.cpp's converter does, 1-D tensors
 * (norms) stay F32, and block-quantized types fall back to F16 when the row length
 * is not a multiple of the 32-element block.
 */
export function tensorTypeFor(out: GgufOutputType, shape: readonly number[]): GgmlType {
  if (shape.length < 2) return GgmlType.F32;
  const t = GGUF_OUTPUT_TYPES[out].type;
  if ((t === GgmlType.Q8_0 || t === GgmlType.Q4_0) && shape[shape.length - 1] % 32 !== 0) return GgmlType.F16;
  return t;
}
