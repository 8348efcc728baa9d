import { decodeModelProto, SentencePieceTokenizer } from '@puyu/formats';
import { describe, expect, it } from 'vitest';
import { makeByteLevelSentencePiece } from './byteLevelSentencePiece.js';

describe('makeByteLevelSentencePiece', () => {
  it('has exactly the asked size, InternLM2 chat tokens at the top, and round-trips any text', () => {
    const bytes = makeByteLevelSentencePiece(300);
    const proto = decodeModelProto(bytes);
    expect(proto.pieces.length).toBe(300);
    expect(proto.pieces[299].piece).toBe('<|im_start|>');
    const tok = SentencePieceTokenizer.load(bytes);
    const text = 'héllo 你好 🐉';
    const ids = tok.encode(text);
    expect(ids.every((id) => id >= 3 && id < 300)).toBe(true);
    expect(tok.decode(ids)).toBe(text);
  });

  it('refuses sizes that cannot hold the byte pieces', () => {
    expect(() => makeByteLevelSentencePiece(100)).toThrow(expect.objectContaining({ code: 'MODEL_VOCAB_TOO_SMALL' }));
  });
});
