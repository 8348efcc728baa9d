import { ModelError } from '@puyu/core';
import {
  decodeModelProto,
  encodeModelProto,
  type GgufMetadata,
  GgufValueType,
  ggufPlain,
  gv,
  type ModelProto,
  type NormalizerSpec,
  type TrainerSpec,
} from '@puyu/formats';
import type { InternLM2Config } from '../config.js';
import { internLM2TokenizerConfig } from '../hf/internlm2-special-tokens.js';

/**
 * SentencePiece ⇄ GGUF `tokenizer.ggml.*` for InternLM2, following llama.cpp's
 * `InternLM2Model.set_vocab`: pieces become tokens with their scores and types
 * (SentencePiece and GGUF share the type numbering: 1 normal, 2 unknown, 3 control,
 * 4 user-defined, 5 unused, 6 byte); tokens listed in tokenizer_config.json's
 * `added_tokens_decoder` get score −1000 and type control (special) or user-defined;
 * a chat vocabulary's EOS becomes `<|im_end|>` so generation stops at the end of a turn.
 * The normalizer and trainer specs GGUF has no keys for travel as JSON in
 * `puyu.tokenizer.spec`, so GGUF → tokenizer.model restores them.
 */
const SPEC_KEY = 'puyu.tokenizer.spec';
const TYPE_NORMAL = 1;
const TYPE_CONTROL = 3;
const TYPE_USER_DEFINED = 4;
const CHAT_EOS = '<|im_end|>';

interface AddedTokenEntry {
  content?: string;
  special?: boolean;
}

function specJson(proto: ModelProto, nulIds: number[]): string {
  // `unknown` holds undecoded protobuf fields (bytes); they are not needed to tokenize.
  const strip = (o: object | undefined) =>
    o && Object.fromEntries(Object.entries(o).filter(([k, v]) => k !== 'unknown' && !(v instanceof Uint8Array) && typeof v !== 'bigint'));
  return JSON.stringify({ normalizerSpec: strip(proto.normalizerSpec), trainerSpec: strip(proto.trainerSpec), nulIds });
}

/**
 * `tokenizer.ggml.*` metadata for a SentencePiece model. `tokenizerConfig` is the HF
 * tokenizer_config.json; without one, InternLM2's is derived from the pieces.
 */
export function tokenizerGgufMetadata(
  modelBytes: Uint8Array,
  config: InternLM2Config,
  hfTokenizerConfig?: Record<string, unknown>,
): GgufMetadata {
  const proto = decodeModelProto(modelBytes);
  const tokenizerConfig = hfTokenizerConfig ?? internLM2TokenizerConfig(proto.pieces.map((p) => p.piece ?? ''));
  const n = config.vocab_size;
  if (proto.pieces.length > n) {
    throw new ModelError(
      'MODEL_VOCAB_MISMATCH',
      `tokenizer.model has ${proto.pieces.length} pieces but the model's vocab_size is ${n}; the embedding table cannot hold them.`,
    );
  }
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const nulIds: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = proto.pieces[i];
    if (p === undefined) {
      // Embedding rows past the tokenizer (padded vocabularies) get unused placeholder tokens, as llama.cpp does.
      tokens.push(`[PAD${i}]`);
      scores.push(-1000);
      types.push(5);
      continue;
    }
    const text = p.piece ?? '';
    // llama.cpp's converter: a NUL token would read back as an empty C string.
    if (text === '\x00') nulIds.push(i);
    tokens.push(text === '\x00' ? '🐉' : text);
    scores.push(p.score ?? 0);
    const t = p.type ?? TYPE_NORMAL;
    types.push(t === TYPE_USER_DEFINED ? TYPE_NORMAL : t);
  }
  const t = proto.trainerSpec ?? {};
  let eos = t.eosId ?? 2;
  const added = (tokenizerConfig.added_tokens_decoder ?? {}) as Record<string, AddedTokenEntry>;
  for (const [idText, entry] of Object.entries(added)) {
    const id = Number(idText);
    if (!Number.isInteger(id) || id < 0 || id >= n || typeof entry?.content !== 'string') continue;
    tokens[id] = entry.content;
    scores[id] = -1000;
    types[id] = entry.special ? TYPE_CONTROL : TYPE_USER_DEFINED;
    if (entry.content === CHAT_EOS) eos = id;
  }
  const m: GgufMetadata = new Map();
  m.set('tokenizer.ggml.model', gv.str('llama'));
  m.set('tokenizer.ggml.pre', gv.str('default'));
  m.set('tokenizer.ggml.tokens', gv.strings(tokens));
  m.set('tokenizer.ggml.scores', gv.f32s(scores));
  m.set('tokenizer.ggml.token_type', gv.i32s(types));
  m.set('tokenizer.ggml.add_space_prefix', gv.bool(proto.normalizerSpec?.addDummyPrefix ?? true));
  m.set('tokenizer.ggml.bos_token_id', gv.u32(t.bosId ?? 1));
  m.set('tokenizer.ggml.eos_token_id', gv.u32(eos));
  m.set('tokenizer.ggml.unknown_token_id', gv.u32(t.unkId ?? 0));
  const pad = config.pad_token_id;
  if (pad !== null && pad < n) m.set('tokenizer.ggml.padding_token_id', gv.u32(pad));
  m.set('tokenizer.ggml.add_bos_token', gv.bool((tokenizerConfig.add_bos_token as boolean | undefined) ?? true));
  m.set('tokenizer.ggml.add_eos_token', gv.bool((tokenizerConfig.add_eos_token as boolean | undefined) ?? false));
  if (typeof tokenizerConfig.chat_template === 'string') m.set('tokenizer.chat_template', gv.str(tokenizerConfig.chat_template));
  m.set(SPEC_KEY, gv.str(specJson(proto, nulIds)));
  return m;
}

function plainArray(m: GgufMetadata, key: string): unknown[] | undefined {
  const v = m.get(key);
  if (v === undefined) return undefined;
  if (v.type !== GgufValueType.ARRAY) throw new ModelError('MODEL_GGUF_BAD_TOKENIZER', `GGUF metadata ${key} should be an array.`);
  return ggufPlain(v) as unknown[];
}

function num(m: GgufMetadata, key: string): number | undefined {
  const v = m.get(key);
  return v === undefined || v.type === GgufValueType.ARRAY ? undefined : Number(v.value);
}

/**
 * Rebuilds a SentencePiece `tokenizer.model` from a GGUF vocabulary. Pieces,
 * scores and types come from `tokenizer.ggml.*`; normalizer/trainer specs from
 * `puyu.tokenizer.spec` when present, else the InternLM2 defaults (BPE, byte
 * fallback when byte pieces exist, identity normalization).
 */
export function sentencePieceFromGguf(m: GgufMetadata): Uint8Array {
  const model = m.get('tokenizer.ggml.model');
  if (model && model.type !== GgufValueType.ARRAY && model.value !== 'llama') {
    throw new ModelError(
      'MODEL_GGUF_BAD_TOKENIZER',
      `the GGUF tokenizer is "${String(model.value)}", not a SentencePiece ("llama") vocabulary; it cannot become tokenizer.model.`,
    );
  }
  const tokens = plainArray(m, 'tokenizer.ggml.tokens') as string[] | undefined;
  if (!tokens) throw new ModelError('MODEL_GGUF_BAD_TOKENIZER', 'the GGUF has no tokenizer.ggml.tokens.');
  const scores = (plainArray(m, 'tokenizer.ggml.scores') as number[] | undefined) ?? [];
  const types = (plainArray(m, 'tokenizer.ggml.token_type') as number[] | undefined) ?? [];
  const specValue = m.get(SPEC_KEY);
  const spec =
    specValue && specValue.type === GgufValueType.STRING
      ? (JSON.parse(specValue.value as string) as { normalizerSpec?: NormalizerSpec; trainerSpec?: TrainerSpec; nulIds?: number[] })
      : {};
  const nul = new Set(spec.nulIds ?? []);
  const pieces = tokens.map((piece, i) => ({
    piece: nul.has(i) ? '\x00' : piece,
    score: scores[i] ?? 0,
    type: types[i] ?? TYPE_NORMAL,
  }));
  // tokenizer_config marks <unk> special, which the export turns into a control token (as
  // llama.cpp does); SentencePiece needs exactly one UNKNOWN piece, so restore it.
  const unkId = num(m, 'tokenizer.ggml.unknown_token_id') ?? spec.trainerSpec?.unkId ?? 0;
  if (pieces[unkId]) pieces[unkId].type = 2;
  const hasBytes = pieces.some((p) => p.type === 6);
  const trainerSpec: TrainerSpec = {
    modelType: 2,
    byteFallback: hasBytes,
    ...spec.trainerSpec,
    vocabSize: tokens.length,
    unkId,
    bosId: num(m, 'tokenizer.ggml.bos_token_id') ?? spec.trainerSpec?.bosId ?? 1,
  };
  // The GGUF EOS may be the chat <|im_end|>; the SentencePiece EOS is the spec's.
  if (spec.trainerSpec?.eosId === undefined)
    trainerSpec.eosId = pieces.findIndex((p) => p.piece === '</s>') >= 0 ? pieces.findIndex((p) => p.piece === '</s>') : 2;
  const addPrefix = m.get('tokenizer.ggml.add_space_prefix');
  const normalizerSpec: NormalizerSpec = {
    name: 'identity',
    removeExtraWhitespaces: false,
    ...spec.normalizerSpec,
    ...(addPrefix && addPrefix.type === GgufValueType.BOOL ? { addDummyPrefix: addPrefix.value as boolean } : {}),
  };
  const proto: ModelProto = { pieces, trainerSpec, normalizerSpec };
  const bytes = encodeModelProto(proto);
  decodeModelProto(bytes); // self-check: what we write must read back
  return bytes;
}
