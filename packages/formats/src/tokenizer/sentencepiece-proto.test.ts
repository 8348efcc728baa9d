import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '@puyu/core';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { decodeModelProto, encodeModelProto, type ModelProto, ModelType, PieceType } from './sentencepiece-proto.js';

const REAL = join(INTERNLM2_TOKENIZER_DIR, 'tokenizer.model');
const hasReal = existsSync(REAL);
if (!hasReal) console.warn(`skipping real-model proto tests: ${REAL} not found`);

function small(): ModelProto {
  return {
    pieces: [
      { piece: '<unk>', score: 0, type: PieceType.UNKNOWN },
      { piece: '<s>', score: 0, type: PieceType.CONTROL },
      { piece: '▁a', score: -1.5 },
      { piece: '\uFEFF', score: -2 },
    ],
    trainerSpec: { modelType: ModelType.BPE, vocabSize: 4, padId: -1, byteFallback: true, userDefinedSymbols: ['x', 'y'] },
    normalizerSpec: { name: 'identity', precompiledCharsmap: new Uint8Array([1, 2, 3]), addDummyPrefix: false },
  };
}

describe('SentencePiece ModelProto codec', () => {
  it('round-trips every field, negative int32 and a BOM piece', () => {
    const bytes = encodeModelProto(small());
    const back = decodeModelProto(bytes);
    expect(back.pieces[3].piece).toBe('\uFEFF');
    expect(back.pieces[2].score).toBe(-1.5);
    expect(back.pieces[2].type).toBeUndefined();
    expect(back.trainerSpec?.padId).toBe(-1);
    expect(back.trainerSpec?.userDefinedSymbols).toEqual(['x', 'y']);
    expect(Array.from(back.normalizerSpec?.precompiledCharsmap ?? [])).toEqual([1, 2, 3]);
    expect(back.normalizerSpec?.addDummyPrefix).toBe(false);
    expect(back.normalizerSpec?.removeExtraWhitespaces).toBeUndefined();
    expect(Buffer.from(encodeModelProto(back)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('keeps unknown fields on re-encode', () => {
    const bytes = encodeModelProto(small());
    // Append field 99 (varint 7) and field 53 in trainer? Top-level field 99 is unknown to the schema.
    const extra = new Uint8Array([0x98, 0x06, 0x07]);
    const withUnknown = new Uint8Array([...bytes, ...extra]);
    const back = decodeModelProto(withUnknown);
    expect(Array.from(back.unknownFields ?? [])).toEqual([0x98, 0x06, 0x07]);
    expect(Buffer.from(encodeModelProto(back)).equals(Buffer.from(withUnknown))).toBe(true);
  });

  it('rejects truncated and garbage input with a FormatError code', () => {
    const bytes = encodeModelProto(small());
    const cut = bytes.subarray(0, bytes.length - 3);
    expect(() => decodeModelProto(cut)).toThrow(FormatError);
    try {
      decodeModelProto(cut);
    } catch (e) {
      expect((e as FormatError).code).toBe('PROTO_TRUNCATED');
    }
    expect(() => decodeModelProto(new Uint8Array(0))).toThrow(/no pieces/);
    expect(() => decodeModelProto(new TextEncoder().encode('hello world, not a model'))).toThrow(FormatError);
  });

  it.skipIf(!hasReal)('decode→encode of the InternLM2 tokenizer.model is byte-identical', () => {
    const raw = new Uint8Array(readFileSync(REAL));
    const proto = decodeModelProto(raw);
    expect(proto.pieces.length).toBe(92544);
    expect(proto.trainerSpec?.modelType).toBe(ModelType.BPE);
    expect(proto.normalizerSpec?.name).toBe('identity');
    expect(Buffer.from(encodeModelProto(proto)).equals(Buffer.from(raw))).toBe(true);
  });
});
