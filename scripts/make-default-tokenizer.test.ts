import { readFileSync } from 'node:fs';
import { encodeModelProto, PieceType, SentencePieceTokenizer } from '@puyu/formats';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKENIZER, trainDefaultTokenizer } from './make-default-tokenizer.js';

describe('shipped default tokenizer (packages/model/assets/puyu-tiny.model)', () => {
  const bytes = readFileSync(DEFAULT_TOKENIZER);

  it('is exactly what the committed corpus and options train (run the script after changing either)', async () => {
    const { model } = await trainDefaultTokenizer();
    expect(Buffer.from(encodeModelProto(model)).equals(bytes)).toBe(true);
  });

  it('has 2048 pieces, byte fallback and the InternLM2 chat markers as single tokens', () => {
    const tok = SentencePieceTokenizer.load(new Uint8Array(bytes));
    expect(tok.vocabSize).toBe(2048);
    const p = tok.proto.pieces;
    expect(p.slice(0, 9).map((x) => x.piece)).toEqual([
      '<unk>',
      '<s>',
      '</s>',
      '<|im_start|>',
      '<|im_end|>',
      '<|action_start|>',
      '<|action_end|>',
      '<|interpreter|>',
      '<|plugin|>',
    ]);
    expect(p.filter((x) => x.type === PieceType.BYTE)).toHaveLength(256);
    const text = '<|im_start|>user\nWhat is a cynic? 什么是愤世嫉俗者？ 2024 😀<|im_end|>';
    const ids = tok.encode(text);
    expect(ids[0]).toBe(3);
    expect(ids.at(-1)).toBe(4);
    expect(tok.decode(ids)).toBe(text);
    // Every printable ASCII character is a piece of its own, so code and digits never need bytes.
    for (let c = 0x21; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      expect(tok.encode(ch)).toEqual([tok.pieceToId(ch)]);
    }
  });
});
