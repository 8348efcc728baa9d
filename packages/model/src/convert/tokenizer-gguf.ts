import { ModelError } from '@puyu/core';
import {
  decodeModelProto,
  encodeModelProto,
  type GgufMetadata,
  ggufVocabToSentencePiece,
  gv,
  sentencePieceToGgufVocab,
} from '@puyu/formats';
import type { InternLM2Config } from '../config.js';
import { internLM2TokenizerConfig } from '../hf/internlm2-special-tokens.js';
import { KV } from './gguf-names.js';

/**
 * InternLM2 defaults around @puyu/formats' SentencePiece ⇄ GGUF `tokenizer.ggml.*`
 * mapping (`sentencePieceToGgufVocab` / `ggufVocabToSentencePiece`, which follow
 * llama.cpp's `InternLM2Model.set_vocab` and keep user-defined pieces user-defined):
 * the vocabulary is sized to the model's embedding table, special ids come from the
 * model config, and without an HF tokenizer_config.json InternLM2's is derived from
 * the pieces, so the chat EOS `<|im_end|>` and template are set either way.
 */

/**
 * `tokenizer.ggml.*` metadata for a SentencePiece model. `hfTokenizerConfig` is the HF
 * tokenizer_config.json; without one, InternLM2's is derived from the pieces.
 */
export function tokenizerGgufMetadata(
  modelBytes: Uint8Array,
  config: InternLM2Config,
  hfTokenizerConfig?: Record<string, unknown>,
): GgufMetadata {
  const proto = decodeModelProto(modelBytes);
  const n = config.vocab_size;
  if (proto.pieces.length > n) {
    throw new ModelError(
      'MODEL_VOCAB_MISMATCH',
      `tokenizer.model has ${proto.pieces.length} pieces but the model's vocab_size is ${n}; the embedding table cannot hold them.`,
    );
  }
  const tokenizerConfig = hfTokenizerConfig ?? internLM2TokenizerConfig(proto.pieces.map((p) => p.piece ?? ''));
  const m = sentencePieceToGgufVocab(proto, { tokenizerConfig, config: { ...config }, vocabSize: n });
  const useDefault = tokenizerConfig.use_default_system_prompt;
  if (typeof useDefault === 'boolean') m.set(KV.puyuUseDefaultSystemPrompt, gv.bool(useDefault));
  return m;
}

/**
 * Rebuilds a SentencePiece `tokenizer.model` from a GGUF vocabulary: exactly the
 * original when the GGUF carries `puyu.tokenizer.spec` (written by the export), else
 * the InternLM2 defaults (BPE, byte fallback when byte pieces exist, identity
 * normalization).
 */
export function sentencePieceFromGguf(m: GgufMetadata): Uint8Array {
  const bytes = encodeModelProto(ggufVocabToSentencePiece(m).model);
  decodeModelProto(bytes); // self-check: what we write must read back
  return bytes;
}
