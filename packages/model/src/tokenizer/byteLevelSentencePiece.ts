import { ModelError } from '@puyu/core';
import { encodeModelProto } from '@puyu/formats';
import { INTERNLM2_MARKERS } from '@puyu/formats/chat';

/** Pieces every byte-level vocabulary starts with: <unk> <s> </s> and the 256 byte pieces. */
export const BYTE_LEVEL_BASE = 3 + 256;

/**
 * A valid SentencePiece BPE `tokenizer.model` of exactly `size` pieces that needs no
 * training: <unk>, <s>, </s>, the 256 `<0xXX>` byte pieces (so any text encodes through
 * byte fallback), `▁`, then the InternLM2 chat tokens as control pieces, then filler word
 * pieces `▁w0, ▁w1, …` to reach the size. It lets a random model be built at any
 * vocabulary size llama.cpp accepts when no trained tokenizer is at hand.
 */
export function makeByteLevelSentencePiece(size: number, opts: { chatTokens?: boolean } = {}): Uint8Array {
  const chat = opts.chatTokens ?? true;
  const chatTokens = chat ? [...INTERNLM2_MARKERS].reverse() : [];
  const min = BYTE_LEVEL_BASE + 1 + chatTokens.length;
  if (!Number.isInteger(size) || size < min) {
    throw new ModelError(
      'MODEL_VOCAB_TOO_SMALL',
      `a byte-level vocabulary needs at least ${min} pieces (3 specials + 256 bytes + ▁${chat ? ' + 6 chat tokens' : ''}); got ${size}.`,
    );
  }
  const pieces = [
    { piece: '<unk>', score: 0, type: 2 },
    { piece: '<s>', score: 0, type: 3 },
    { piece: '</s>', score: 0, type: 3 },
  ];
  for (let b = 0; b < 256; b++) pieces.push({ piece: `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, score: 0, type: 6 });
  // The word-boundary piece: without it ▁ would be byte-encoded and decode as a literal ▁, not a space.
  pieces.push({ piece: '▁', score: 0, type: 1 });
  const fillers = size - min;
  for (let i = 0; i < fillers; i++) pieces.push({ piece: `▁w${i}`, score: -i, type: 1 });
  // Chat tokens last, as InternLM2 places them at the top of its vocabulary.
  for (const t of chatTokens) pieces.push({ piece: t, score: 0, type: 3 });
  return encodeModelProto({
    pieces,
    trainerSpec: { modelType: 2, vocabSize: size, byteFallback: true, unkId: 0, bosId: 1, eosId: 2, padId: -1 },
    normalizerSpec: { name: 'identity', addDummyPrefix: true, removeExtraWhitespaces: false },
  });
}
