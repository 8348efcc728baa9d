import { TokenizerError } from '@puyu/core';
import { IM_END } from '../chat/special-tokens.js';
import { type GgufMetadata, type GgufValue, GgufValueType, ggufPlain, gv } from '../gguf/types.js';
import { type ModelProto, ModelType, type NormalizerSpec, PieceType, type SentencePiece, type TrainerSpec } from './sentencepiece-proto.js';

/**
 * SentencePiece ⇄ llama.cpp `tokenizer.ggml.*` metadata.
 *
 * Export follows llama.cpp's converter for SentencePiece models (conversion/internlm.py
 * `InternLM2Model.set_vocab` and gguf-py's `SpecialVocab`): pieces become tokens with
 * their scores and types; a literal "\x00" piece is renamed 🐉 (llama.cpp reads tokens
 * as C strings); NORMAL pieces named "[UNUSED…" are UNUSED; HF added tokens (added_tokens.json,
 * tokenizer_config.json `added_tokens_decoder`, tokenizer.json `added_tokens`) overwrite
 * their ids with score -1000 and type CONTROL (special) or USER_DEFINED; special ids come
 * from config.json / tokenizer.json, else from the model's trainer_spec; a chat model's
 * EOS becomes `<|im_end|>` so generation stops at the end of a turn.
 *
 * One deliberate difference: SentencePiece USER_DEFINED pieces stay USER_DEFINED (the
 * converter writes NORMAL). llama.cpp, like SentencePiece, then matches them whole in
 * any text, so a model trained with `--user-defined-symbols` tokenizes identically.
 *
 * llama.cpp applies no normalizer: it never collapses spaces, so a model trained with
 * removeExtraWhitespaces=true (spm's default) tokenizes "a  b" differently there.
 * `ggufVocabCaveats` lists such differences for a given model.
 */

/** llama.cpp's token types (llama_token_type), numerically equal to SentencePiece's piece types. */
export const GgufTokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** Side data for an exact GGUF → SentencePiece round trip (llama.cpp ignores unknown keys). */
export const PUYU_TOKENIZER_SPEC_KEY = 'puyu.tokenizer.spec';

const NUL_STANDIN = '🐉';
const ADDED_SCORE = -1000;
const PAD_SCORE = -10000;

export interface HfAddedToken {
  id: number;
  content: string;
  special?: boolean;
}

export interface GgufVocabOptions {
  /** tokenizer_config.json (added_tokens_decoder, add_bos_token, add_eos_token, chat_template, *_token). */
  tokenizerConfig?: Record<string, unknown>;
  /** config.json (bos/eos/pad/unk_token_id, vocab_size). */
  config?: Record<string, unknown>;
  /** added_tokens.json: content → id. */
  addedTokensJson?: Record<string, number>;
  /** tokenizer.json's `added_tokens`. */
  tokenizerJsonAddedTokens?: HfAddedToken[];
  /** Rows of the embedding table; ids past the tokenizer get `[PAD{id}]` UNUSED tokens (default config.vocab_size or the piece count). */
  vocabSize?: number;
  /** Added token that replaces EOS when present (default "<|im_end|>", as llama.cpp's InternLM2 converter; null to keep EOS). */
  chatEosToken?: string | null;
}

const SPECIAL_TYPES = ['bos', 'eos', 'unk', 'sep', 'pad', 'cls', 'mask'] as const;
const SPECIAL_KEYS: Record<string, string> = {
  bos: 'tokenizer.ggml.bos_token_id',
  eos: 'tokenizer.ggml.eos_token_id',
  unk: 'tokenizer.ggml.unknown_token_id',
  sep: 'tokenizer.ggml.seperator_token_id', // sic: llama.cpp's key name
  pad: 'tokenizer.ggml.padding_token_id',
  cls: 'tokenizer.ggml.cls_token_id',
  mask: 'tokenizer.ggml.mask_token_id',
};

interface SpecSideData {
  normalizerSpec?: NormalizerSpec;
  trainerSpec?: TrainerSpec;
  /** Ids whose piece was "\x00" (written as 🐉). */
  nulIds?: number[];
  /** Original SentencePiece pieces (and types) at ids an HF added token overwrote. */
  replaced?: { id: number; piece: string; score: number; type: number }[];
  /** [id, SentencePiece type] where the GGUF type differs ("[UNUSED…" pieces). */
  retyped?: [number, number][];
}

function pieceType(p: SentencePiece): number {
  return p.type ?? PieceType.NORMAL;
}

function contentOf(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  const c = (entry as { content?: unknown } | null)?.content;
  return typeof c === 'string' ? c : undefined;
}

/** The `tokenizer.ggml.*` metadata for a SentencePiece BPE model (+ optional HF files). */
export function sentencePieceToGgufVocab(proto: ModelProto, o: GgufVocabOptions = {}): GgufMetadata {
  const cfgVocab = typeof o.config?.vocab_size === 'number' ? (o.config.vocab_size as number) : undefined;
  const n = o.vocabSize ?? cfgVocab ?? proto.pieces.length;
  if (proto.pieces.length > n) {
    throw new TokenizerError(
      'GGUF_VOCAB_TOO_SMALL',
      `The tokenizer has ${proto.pieces.length} pieces but the model's vocabulary holds ${n}; pass the right vocabSize (config.json vocab_size).`,
    );
  }
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const side: SpecSideData = { nulIds: [], replaced: [], retyped: [] };
  for (let i = 0; i < n; i++) {
    const p = proto.pieces[i];
    if (!p) {
      tokens.push(`[PAD${i}]`);
      scores.push(PAD_SCORE);
      types.push(GgufTokenType.UNUSED);
      continue;
    }
    let text = p.piece ?? '';
    if (text === '\x00') {
      text = NUL_STANDIN;
      side.nulIds?.push(i);
    }
    let t = pieceType(p);
    // The converter marks "[UNUSED…" pieces UNUSED; we keep USER_DEFINED ones (InternLM2's
    // are) user-defined, so llama.cpp still matches them whole as SentencePiece does.
    if (text.startsWith('[UNUSED') && t === GgufTokenType.NORMAL) {
      side.retyped?.push([i, t]);
      t = GgufTokenType.UNUSED;
    }
    tokens.push(text);
    scores.push(p.score ?? 0);
    types.push(t);
  }

  let chatEosId: number | undefined;
  const chatEos = o.chatEosToken === undefined ? IM_END : o.chatEosToken;
  const overwrite = (id: number, content: string, special: boolean | undefined, where: string) => {
    if (!Number.isInteger(id) || id < 0 || id > tokens.length) {
      throw new TokenizerError(
        'GGUF_BAD_ADDED_TOKEN',
        `${where}: added token ${JSON.stringify(content)} has id ${id}, outside the ${n}-token vocabulary.`,
      );
    }
    if (content === chatEos) chatEosId = id;
    if (id === tokens.length) {
      tokens.push(content);
      scores.push(ADDED_SCORE);
      types.push(GgufTokenType.USER_DEFINED);
    } else if (tokens[id] !== content || scores[id] !== ADDED_SCORE) {
      const orig = proto.pieces[id];
      if (orig) side.replaced?.push({ id, piece: orig.piece ?? '', score: orig.score ?? 0, type: pieceType(orig) });
    }
    tokens[id] = content;
    scores[id] = ADDED_SCORE;
    types[id] = special ? GgufTokenType.CONTROL : GgufTokenType.USER_DEFINED;
  };
  for (const [content, id] of Object.entries(o.addedTokensJson ?? {})) overwrite(id, content, false, 'added_tokens.json');
  const decoder = (o.tokenizerConfig?.added_tokens_decoder ?? {}) as Record<string, { content?: string; special?: boolean }>;
  for (const [idText, entry] of Object.entries(decoder)) {
    if (typeof entry?.content === 'string') overwrite(Number(idText), entry.content, entry.special, 'tokenizer_config.json');
  }
  for (const a of o.tokenizerJsonAddedTokens ?? []) overwrite(a.id, a.content, a.special, 'tokenizer.json');

  // SpecialVocab: ids named in tokenizer_config (looked up in tokenizer.json's added
  // tokens), then config.json's *_token_id; the first one found wins.
  const special = new Map<string, number>();
  const setSpecial = (typ: string, id: unknown) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= tokens.length || special.has(typ)) return;
    special.set(typ, id);
  };
  for (const typ of SPECIAL_TYPES) {
    const c = contentOf(o.tokenizerConfig?.[`${typ}_token`]);
    if (c !== undefined) setSpecial(typ, o.tokenizerJsonAddedTokens?.find((a) => a.content === c)?.id);
  }
  for (const typ of SPECIAL_TYPES) setSpecial(typ, o.config?.[`${typ}_token_id`]);
  // Without HF files, the model's own ids (llama.cpp would otherwise assume 0/1/2).
  const t = proto.trainerSpec ?? {};
  setSpecial('bos', t.bosId ?? 1);
  setSpecial('eos', t.eosId ?? 2);
  setSpecial('unk', t.unkId ?? 0);
  if ((t.padId ?? -1) >= 0) setSpecial('pad', t.padId);
  if (chatEosId !== undefined) special.set('eos', chatEosId);

  const m: GgufMetadata = new Map();
  m.set('tokenizer.ggml.model', gv.str('llama'));
  m.set('tokenizer.ggml.pre', gv.str('default'));
  m.set('tokenizer.ggml.tokens', gv.strings(tokens));
  m.set('tokenizer.ggml.scores', gv.f32s(scores));
  m.set('tokenizer.ggml.token_type', gv.i32s(types));
  m.set('tokenizer.ggml.add_space_prefix', gv.bool(proto.normalizerSpec?.addDummyPrefix ?? true));
  for (const typ of SPECIAL_TYPES) {
    const id = special.get(typ);
    if (id !== undefined) m.set(SPECIAL_KEYS[typ] as string, gv.u32(id));
  }
  const addBos = o.tokenizerConfig?.add_bos_token;
  const addEos = o.tokenizerConfig?.add_eos_token;
  m.set('tokenizer.ggml.add_bos_token', gv.bool(typeof addBos === 'boolean' ? addBos : true));
  m.set('tokenizer.ggml.add_eos_token', gv.bool(typeof addEos === 'boolean' ? addEos : false));
  const tpl = o.tokenizerConfig?.chat_template;
  if (typeof tpl === 'string') m.set('tokenizer.chat_template', gv.str(tpl));
  m.set(
    PUYU_TOKENIZER_SPEC_KEY,
    gv.str(JSON.stringify({ normalizerSpec: plainSpec(proto.normalizerSpec), trainerSpec: plainSpec(proto.trainerSpec), ...side })),
  );
  return m;
}

/** Spec fields as JSON (bytes such as the charsmap and unknown fields are dropped). */
function plainSpec<T extends object>(spec: T | undefined): Partial<T> | undefined {
  if (!spec) return undefined;
  return Object.fromEntries(
    Object.entries(spec).filter(([k, v]) => k !== 'unknownFields' && !(v instanceof Uint8Array) && typeof v !== 'bigint'),
  ) as Partial<T>;
}

/** How llama.cpp's tokenization of this model's GGUF can differ from SentencePiece's. */
export function ggufVocabCaveats(proto: ModelProto): string[] {
  const out: string[] = [];
  const ns = proto.normalizerSpec;
  if (ns?.removeExtraWhitespaces ?? true) out.push('removeExtraWhitespaces: llama.cpp keeps repeated, leading and trailing spaces');
  if ((ns?.precompiledCharsmap?.length ?? 0) > 0) out.push(`normalizer "${ns?.name}": llama.cpp applies no character normalization`);
  if (proto.pieces.some((p) => p.piece === '\x00'))
    out.push('a "\\x00" piece is written as 🐉, so text containing 🐉 maps to it in llama.cpp');
  const markers = proto.pieces.filter((p) => p.type === PieceType.USER_DEFINED || p.type === PieceType.CONTROL);
  if ((ns?.addDummyPrefix ?? true) && markers.length > 0)
    out.push(
      'addDummyPrefix with special pieces: llama.cpp adds a space prefix after every special token, SentencePiece only at the start',
    );
  if (markers.some((p) => p.type === PieceType.USER_DEFINED && p.piece === IM_END))
    out.push('llama.cpp treats <|im_end|> as CONTROL (end of generation): it matches it only with special-token parsing on');
  return out;
}

export interface GgufVocabImport {
  model: ModelProto;
  /** Tokens that were HF added tokens (score -1000, CONTROL / USER_DEFINED), for tokenizer_config.json. */
  addedTokens: HfAddedToken[];
  addBos: boolean;
  addEos: boolean;
  chatTemplate?: string;
  /** The GGUF's EOS (may be the chat end-of-turn token, unlike the model's eos_id). */
  eosTokenId?: number;
}

function get(m: GgufMetadata, key: string): GgufValue | undefined {
  return m.get(key);
}

function scalar(m: GgufMetadata, key: string): unknown {
  const v = get(m, key);
  return v === undefined || v.type === GgufValueType.ARRAY ? undefined : v.value;
}

function array(m: GgufMetadata, key: string, what: string): unknown[] | undefined {
  const v = get(m, key);
  if (v === undefined) return undefined;
  if (v.type !== GgufValueType.ARRAY) throw new TokenizerError('GGUF_BAD_TOKENIZER', `GGUF key ${key} must be an array of ${what}.`);
  return ggufPlain(v) as unknown[];
}

/** Rebuilds a SentencePiece model (and HF added tokens) from GGUF `tokenizer.ggml.*` metadata. */
export function ggufVocabToSentencePiece(m: GgufMetadata): GgufVocabImport {
  const kind = scalar(m, 'tokenizer.ggml.model');
  if (kind !== 'llama') {
    throw new TokenizerError(
      'GGUF_NOT_SENTENCEPIECE',
      `The GGUF tokenizer is ${JSON.stringify(kind ?? null)}, not a SentencePiece ("llama") vocabulary, so it cannot become a tokenizer.model.`,
    );
  }
  const tokens = array(m, 'tokenizer.ggml.tokens', 'strings');
  if (!tokens || tokens.some((x) => typeof x !== 'string')) {
    throw new TokenizerError('GGUF_BAD_TOKENIZER', 'The GGUF has no tokenizer.ggml.tokens string array; it carries no vocabulary.');
  }
  const scores = array(m, 'tokenizer.ggml.scores', 'numbers') ?? [];
  const types = array(m, 'tokenizer.ggml.token_type', 'integers') ?? [];
  if ((scores.length > 0 && scores.length !== tokens.length) || (types.length > 0 && types.length !== tokens.length)) {
    throw new TokenizerError(
      'GGUF_BAD_TOKENIZER',
      `tokenizer.ggml.tokens has ${tokens.length} entries but scores has ${scores.length} and token_type ${types.length}; the file is inconsistent.`,
    );
  }
  let side: SpecSideData = {};
  const raw = scalar(m, PUYU_TOKENIZER_SPEC_KEY);
  if (typeof raw === 'string') {
    try {
      side = JSON.parse(raw) as SpecSideData;
    } catch {
      side = {};
    }
  }
  const nul = new Set(side.nulIds ?? []);
  const replaced = new Map((side.replaced ?? []).map((r) => [r.id, r]));
  const retyped = new Map(side.retyped ?? []);
  const pieces: SentencePiece[] = [];
  const addedTokens: HfAddedToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const text = tokens[i] as string;
    const score = Number(scores[i] ?? 0);
    const type = Number(types[i] ?? GgufTokenType.NORMAL);
    if (type < 1 || type > 6) throw new TokenizerError('GGUF_BAD_TOKENIZER', `Token ${i} has type ${type}; llama.cpp types are 1–6.`);
    const orig = replaced.get(i);
    if (orig || (score === ADDED_SCORE && (type === GgufTokenType.CONTROL || type === GgufTokenType.USER_DEFINED))) {
      addedTokens.push({ id: i, content: text, special: type === GgufTokenType.CONTROL });
    }
    if (orig) pieces.push({ piece: orig.piece, score: orig.score, type: orig.type });
    else pieces.push({ piece: nul.has(i) ? '\x00' : text, score, type: retyped.get(i) ?? type });
  }
  const num = (k: string) => {
    const v = scalar(m, k);
    return typeof v === 'number' || typeof v === 'bigint' ? Number(v) : undefined;
  };
  const unkId = side.trainerSpec?.unkId ?? num(SPECIAL_KEYS.unk as string) ?? 0;
  if (pieces[unkId] && !pieces.some((p) => p.type === PieceType.UNKNOWN)) (pieces[unkId] as SentencePiece).type = PieceType.UNKNOWN;
  const ggufEos = num(SPECIAL_KEYS.eos as string);
  // The GGUF EOS may be a chat end-of-turn added token; SentencePiece's eos is "</s>" then.
  const eosIsAdded = ggufEos !== undefined && addedTokens.some((a) => a.id === ggufEos);
  const eosId =
    side.trainerSpec?.eosId ??
    (eosIsAdded
      ? Math.max(
          0,
          pieces.findIndex((p) => p.piece === '</s>'),
        )
      : ggufEos) ??
    2;
  const trainerSpec: TrainerSpec = {
    modelType: ModelType.BPE,
    byteFallback: pieces.some((p) => p.type === PieceType.BYTE),
    ...side.trainerSpec,
    vocabSize: pieces.length,
    unkId,
    bosId: side.trainerSpec?.bosId ?? num(SPECIAL_KEYS.bos as string) ?? 1,
    eosId,
    padId: side.trainerSpec?.padId ?? num(SPECIAL_KEYS.pad as string) ?? -1,
  };
  const addPrefix = scalar(m, 'tokenizer.ggml.add_space_prefix');
  // Without side data, describe what llama.cpp does: no char map, spaces kept.
  const normalizerSpec: NormalizerSpec = side.normalizerSpec ?? {
    name: 'identity',
    addDummyPrefix: typeof addPrefix === 'boolean' ? addPrefix : true,
    removeExtraWhitespaces: false,
    escapeWhitespaces: true,
  };
  const tpl = scalar(m, 'tokenizer.chat_template');
  const bos = scalar(m, 'tokenizer.ggml.add_bos_token');
  const eos = scalar(m, 'tokenizer.ggml.add_eos_token');
  return {
    model: { pieces, trainerSpec, normalizerSpec },
    addedTokens,
    addBos: typeof bos === 'boolean' ? bos : true,
    addEos: typeof eos === 'boolean' ? eos : false,
    chatTemplate: typeof tpl === 'string' ? tpl : undefined,
    eosTokenId: ggufEos,
  };
}
