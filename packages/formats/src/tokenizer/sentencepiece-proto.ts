import { FormatError } from '@puyu/core';
import { WIRE_I32, WIRE_LEN, WIRE_VARINT, WireReader, WireWriter } from './protobuf-wire.js';

/**
 * SentencePiece `ModelProto` (sentencepiece_model.proto, proto2) decode + encode.
 *
 * Every optional scalar is `undefined` when the field was absent on the wire, so
 * callers apply proto2 defaults themselves (see `normalizerDefaults`,
 * `trainerDefaults`) and re-encoding writes exactly the fields that were there.
 * Fields this schema does not know (newer SentencePiece releases add some) are
 * kept raw in `unknownFields` and written back after the known ones, which is
 * also where protobuf's C++ serializer puts them: decode→encode of a real model
 * is byte-identical.
 */

export const PieceType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;
export type PieceTypeValue = (typeof PieceType)[keyof typeof PieceType];

export const ModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;
export type ModelTypeValue = (typeof ModelType)[keyof typeof ModelType];

interface WithUnknown {
  /** Raw bytes (tags included) of fields this schema does not know, in wire order. */
  unknownFields?: Uint8Array;
}

export interface SentencePiece extends WithUnknown {
  piece?: string;
  score?: number;
  /** PieceType; absent means NORMAL. */
  type?: number;
}

export interface TrainerSpec extends WithUnknown {
  input?: string[];
  inputFormat?: string;
  modelPrefix?: string;
  /** ModelType; absent means UNIGRAM. */
  modelType?: number;
  vocabSize?: number;
  acceptLanguage?: string[];
  selfTestSampleSize?: number;
  enableDifferentialPrivacy?: boolean;
  differentialPrivacyNoiseLevel?: number;
  differentialPrivacyClippingThreshold?: number;
  characterCoverage?: number;
  inputSentenceSize?: number;
  shuffleInputSentence?: boolean;
  miningSentenceSize?: number;
  trainingSentenceSize?: number;
  seedSentencepieceSize?: number;
  shrinkingFactor?: number;
  maxSentenceLength?: number;
  numThreads?: number;
  numSubIterations?: number;
  maxSentencepieceLength?: number;
  splitByUnicodeScript?: boolean;
  splitByNumber?: boolean;
  splitByWhitespace?: boolean;
  treatWhitespaceAsSuffix?: boolean;
  allowWhitespaceOnlyPieces?: boolean;
  splitDigits?: boolean;
  controlSymbols?: string[];
  userDefinedSymbols?: string[];
  requiredChars?: string;
  byteFallback?: boolean;
  vocabularyOutputPieceScore?: boolean;
  hardVocabLimit?: boolean;
  useAllVocab?: boolean;
  unkId?: number;
  bosId?: number;
  eosId?: number;
  padId?: number;
  unkSurface?: string;
  unkPiece?: string;
  bosPiece?: string;
  eosPiece?: string;
  padPiece?: string;
  trainExtremelyLargeCorpus?: boolean;
}

export interface NormalizerSpec extends WithUnknown {
  /** Rule name: "identity", "nmt_nfkc", "nfkc", "nmt_nfkc_cf", "nfkc_cf", or user-defined. */
  name?: string;
  precompiledCharsmap?: Uint8Array;
  addDummyPrefix?: boolean;
  removeExtraWhitespaces?: boolean;
  escapeWhitespaces?: boolean;
  normalizationRuleTsv?: string;
}

export interface SelfTestSample extends WithUnknown {
  input?: string;
  expected?: string;
}

export interface SelfTestData extends WithUnknown {
  samples?: SelfTestSample[];
}

export interface ModelProto extends WithUnknown {
  pieces: SentencePiece[];
  trainerSpec?: TrainerSpec;
  normalizerSpec?: NormalizerSpec;
  selfTestData?: SelfTestData;
  denormalizerSpec?: NormalizerSpec;
}

type Kind = 'string' | 'bytes' | 'int32' | 'uint64' | 'bool' | 'float' | { message: Schema };
interface FieldDef {
  no: number;
  key: string;
  kind: Kind;
  repeated?: boolean;
}
type Schema = FieldDef[];

const PIECE: Schema = [
  { no: 1, key: 'piece', kind: 'string' },
  { no: 2, key: 'score', kind: 'float' },
  { no: 3, key: 'type', kind: 'int32' },
];

const TRAINER: Schema = [
  { no: 1, key: 'input', kind: 'string', repeated: true },
  { no: 2, key: 'modelPrefix', kind: 'string' },
  { no: 3, key: 'modelType', kind: 'int32' },
  { no: 4, key: 'vocabSize', kind: 'int32' },
  { no: 5, key: 'acceptLanguage', kind: 'string', repeated: true },
  { no: 6, key: 'selfTestSampleSize', kind: 'int32' },
  { no: 7, key: 'inputFormat', kind: 'string' },
  { no: 10, key: 'characterCoverage', kind: 'float' },
  { no: 11, key: 'inputSentenceSize', kind: 'uint64' },
  { no: 12, key: 'miningSentenceSize', kind: 'int32' },
  { no: 13, key: 'trainingSentenceSize', kind: 'int32' },
  { no: 14, key: 'seedSentencepieceSize', kind: 'int32' },
  { no: 15, key: 'shrinkingFactor', kind: 'float' },
  { no: 16, key: 'numThreads', kind: 'int32' },
  { no: 17, key: 'numSubIterations', kind: 'int32' },
  { no: 18, key: 'maxSentenceLength', kind: 'int32' },
  { no: 19, key: 'shuffleInputSentence', kind: 'bool' },
  { no: 20, key: 'maxSentencepieceLength', kind: 'int32' },
  { no: 21, key: 'splitByUnicodeScript', kind: 'bool' },
  { no: 22, key: 'splitByWhitespace', kind: 'bool' },
  { no: 23, key: 'splitByNumber', kind: 'bool' },
  { no: 24, key: 'treatWhitespaceAsSuffix', kind: 'bool' },
  { no: 25, key: 'splitDigits', kind: 'bool' },
  { no: 26, key: 'allowWhitespaceOnlyPieces', kind: 'bool' },
  { no: 30, key: 'controlSymbols', kind: 'string', repeated: true },
  { no: 31, key: 'userDefinedSymbols', kind: 'string', repeated: true },
  { no: 32, key: 'vocabularyOutputPieceScore', kind: 'bool' },
  { no: 33, key: 'hardVocabLimit', kind: 'bool' },
  { no: 34, key: 'useAllVocab', kind: 'bool' },
  { no: 35, key: 'byteFallback', kind: 'bool' },
  { no: 36, key: 'requiredChars', kind: 'string' },
  { no: 40, key: 'unkId', kind: 'int32' },
  { no: 41, key: 'bosId', kind: 'int32' },
  { no: 42, key: 'eosId', kind: 'int32' },
  { no: 43, key: 'padId', kind: 'int32' },
  { no: 44, key: 'unkSurface', kind: 'string' },
  { no: 45, key: 'unkPiece', kind: 'string' },
  { no: 46, key: 'bosPiece', kind: 'string' },
  { no: 47, key: 'eosPiece', kind: 'string' },
  { no: 48, key: 'padPiece', kind: 'string' },
  { no: 49, key: 'trainExtremelyLargeCorpus', kind: 'bool' },
  { no: 50, key: 'enableDifferentialPrivacy', kind: 'bool' },
  { no: 51, key: 'differentialPrivacyNoiseLevel', kind: 'float' },
  { no: 52, key: 'differentialPrivacyClippingThreshold', kind: 'uint64' },
];

const NORMALIZER: Schema = [
  { no: 1, key: 'name', kind: 'string' },
  { no: 2, key: 'precompiledCharsmap', kind: 'bytes' },
  { no: 3, key: 'addDummyPrefix', kind: 'bool' },
  { no: 4, key: 'removeExtraWhitespaces', kind: 'bool' },
  { no: 5, key: 'escapeWhitespaces', kind: 'bool' },
  { no: 6, key: 'normalizationRuleTsv', kind: 'string' },
];

const SAMPLE: Schema = [
  { no: 1, key: 'input', kind: 'string' },
  { no: 2, key: 'expected', kind: 'string' },
];
const SELF_TEST: Schema = [{ no: 1, key: 'samples', kind: { message: SAMPLE }, repeated: true }];

const MODEL: Schema = [
  { no: 1, key: 'pieces', kind: { message: PIECE }, repeated: true },
  { no: 2, key: 'trainerSpec', kind: { message: TRAINER } },
  { no: 3, key: 'normalizerSpec', kind: { message: NORMALIZER } },
  { no: 4, key: 'selfTestData', kind: { message: SELF_TEST } },
  { no: 5, key: 'denormalizerSpec', kind: { message: NORMALIZER } },
];

function wireOf(kind: Kind): number {
  if (kind === 'float') return WIRE_I32;
  if (kind === 'string' || kind === 'bytes' || typeof kind === 'object') return WIRE_LEN;
  return WIRE_VARINT;
}

function byNumber(schema: Schema): Map<number, FieldDef> {
  return new Map(schema.map((f) => [f.no, f]));
}
const indexCache = new WeakMap<Schema, Map<number, FieldDef>>();

function decodeMessage(r: WireReader, end: number, schema: Schema): Record<string, unknown> {
  let index = indexCache.get(schema);
  if (!index) {
    index = byNumber(schema);
    indexCache.set(schema, index);
  }
  const out: Record<string, unknown> = {};
  let unknown: Uint8Array[] | undefined;
  const saved = r.end;
  (r as { end: number }).end = end;
  try {
    while (!r.done) {
      const start = r.pos;
      const tag = r.tag();
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      const def = index.get(field);
      if (!def || wireOf(def.kind) !== wire) {
        r.skip(wire);
        unknown ??= [];
        unknown.push(r.buf.subarray(start, r.pos));
        continue;
      }
      const value = readValue(r, def.kind);
      if (def.repeated) {
        const arr = (out[def.key] as unknown[] | undefined) ?? [];
        arr.push(value);
        out[def.key] = arr;
      } else out[def.key] = value;
    }
  } finally {
    (r as { end: number }).end = saved;
  }
  if (unknown !== undefined) out.unknownFields = concat(unknown);
  return out;
}

function readValue(r: WireReader, kind: Kind): unknown {
  switch (kind) {
    case 'string':
      return r.string();
    case 'bytes':
      return r.bytes();
    case 'int32':
      return r.int32();
    case 'uint64':
      return r.uint64();
    case 'bool':
      return r.bool();
    case 'float':
      return r.float();
    default: {
      const [s, e] = r.lengthDelimited();
      const after = r.pos;
      r.pos = s;
      const msg = decodeMessage(r, e, kind.message);
      r.pos = after;
      return msg;
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function encodeMessage(w: WireWriter, msg: Record<string, unknown>, schema: Schema): void {
  for (const def of schema) {
    const v = msg[def.key];
    if (v === undefined || v === null) continue;
    if (def.repeated) {
      for (const item of v as unknown[]) writeValue(w, def, item);
    } else writeValue(w, def, v);
  }
  const unknown = msg.unknownFields;
  if (unknown instanceof Uint8Array) w.raw(unknown);
}

function writeValue(w: WireWriter, def: FieldDef, v: unknown): void {
  switch (def.kind) {
    case 'string':
      w.string(def.no, v as string);
      return;
    case 'bytes':
      w.bytes(def.no, v as Uint8Array);
      return;
    case 'int32':
      w.int32(def.no, v as number);
      return;
    case 'uint64':
      w.uint64(def.no, v as number);
      return;
    case 'bool':
      w.bool(def.no, v as boolean);
      return;
    case 'float':
      w.float(def.no, v as number);
      return;
    default: {
      const inner = new WireWriter();
      encodeMessage(inner, v as Record<string, unknown>, def.kind.message);
      w.bytes(def.no, inner.finish());
    }
  }
}

/** Parses a serialized SentencePiece model (the `.model` file). */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const r = new WireReader(bytes);
  const msg = decodeMessage(r, bytes.length, MODEL) as unknown as ModelProto;
  msg.pieces ??= [];
  if (msg.pieces.length === 0) {
    throw new FormatError(
      'SPM_NO_PIECES',
      'SentencePiece model has no pieces: the file is empty, truncated or not a SentencePiece .model file.',
    );
  }
  return msg;
}

/** Serializes a ModelProto; fields are written in field-number order, unknown fields last. */
export function encodeModelProto(proto: ModelProto): Uint8Array {
  const w = new WireWriter();
  encodeMessage(w, proto as unknown as Record<string, unknown>, MODEL);
  return w.finish();
}

/** NormalizerSpec with proto2 defaults applied. */
export function normalizerDefaults(spec: NormalizerSpec | undefined): Required<
  Pick<NormalizerSpec, 'name' | 'addDummyPrefix' | 'removeExtraWhitespaces' | 'escapeWhitespaces'>
> & {
  precompiledCharsmap: Uint8Array;
} {
  return {
    name: spec?.name ?? '',
    precompiledCharsmap: spec?.precompiledCharsmap ?? new Uint8Array(0),
    addDummyPrefix: spec?.addDummyPrefix ?? true,
    removeExtraWhitespaces: spec?.removeExtraWhitespaces ?? true,
    escapeWhitespaces: spec?.escapeWhitespaces ?? true,
  };
}

/** The TrainerSpec fields that change encoding, with proto2 defaults applied. */
export function trainerDefaults(spec: TrainerSpec | undefined) {
  return {
    modelType: spec?.modelType ?? ModelType.UNIGRAM,
    byteFallback: spec?.byteFallback ?? false,
    treatWhitespaceAsSuffix: spec?.treatWhitespaceAsSuffix ?? false,
    allowWhitespaceOnlyPieces: spec?.allowWhitespaceOnlyPieces ?? false,
    splitDigits: spec?.splitDigits ?? false,
    splitByWhitespace: spec?.splitByWhitespace ?? true,
    unkId: spec?.unkId ?? 0,
    bosId: spec?.bosId ?? 1,
    eosId: spec?.eosId ?? 2,
    padId: spec?.padId ?? -1,
    unkPiece: spec?.unkPiece ?? '<unk>',
    bosPiece: spec?.bosPiece ?? '<s>',
    eosPiece: spec?.eosPiece ?? '</s>',
    padPiece: spec?.padPiece ?? '<pad>',
    unkSurface: spec?.unkSurface ?? ' \u2047 ',
  };
}
