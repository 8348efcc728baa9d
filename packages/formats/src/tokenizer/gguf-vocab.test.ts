import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { GgufValueType, ggufPlain, gv } from '../gguf/types.js';
import {
  GgufTokenType,
  ggufVocabCaveats,
  ggufVocabToSentencePiece,
  PUYU_TOKENIZER_SPEC_KEY,
  sentencePieceToGgufVocab,
} from './gguf-vocab.js';
import { decodeModelProto, PieceType } from './sentencepiece-proto.js';

const GOLDEN = join(import.meta.dirname, 'train/fixtures/golden-bpe.model');
const HF = INTERNLM2_TOKENIZER_DIR;
const hasHf = existsSync(join(HF, 'tokenizer.model'));
if (!hasHf) console.warn(`skipping InternLM2 GGUF vocab tests: ${HF} not found (needs ../shared/models)`);

const plain = (m: Map<string, unknown>, k: string) => {
  const v = m.get(k) as Parameters<typeof ggufPlain>[0] | undefined;
  return v === undefined ? undefined : ggufPlain(v);
};

describe('sentencePieceToGgufVocab on a model we trained', () => {
  const proto = decodeModelProto(readFileSync(GOLDEN));

  it('writes llama.cpp tokenizer keys: tokens, scores, types, special ids, flags', () => {
    const m = sentencePieceToGgufVocab(proto);
    expect(plain(m, 'tokenizer.ggml.model')).toBe('llama');
    const tokens = plain(m, 'tokenizer.ggml.tokens') as string[];
    const scores = plain(m, 'tokenizer.ggml.scores') as number[];
    const types = plain(m, 'tokenizer.ggml.token_type') as number[];
    expect(tokens).toEqual(proto.pieces.map((p) => p.piece));
    expect(scores).toEqual(proto.pieces.map((p) => p.score ?? 0));
    expect(m.get('tokenizer.ggml.scores')?.type === GgufValueType.ARRAY && m.get('tokenizer.ggml.scores')).toMatchObject({
      itemType: GgufValueType.FLOAT32,
    });
    expect(types.slice(0, 4)).toEqual([GgufTokenType.UNKNOWN, GgufTokenType.CONTROL, GgufTokenType.CONTROL, GgufTokenType.USER_DEFINED]);
    expect(types[tokens.indexOf('<0x41>')]).toBe(GgufTokenType.BYTE);
    expect(types[tokens.length - 1]).toBe(GgufTokenType.NORMAL);
    expect(plain(m, 'tokenizer.ggml.bos_token_id')).toBe(1);
    expect(plain(m, 'tokenizer.ggml.eos_token_id')).toBe(2);
    expect(plain(m, 'tokenizer.ggml.unknown_token_id')).toBe(0);
    expect(m.has('tokenizer.ggml.padding_token_id')).toBe(false);
    expect(plain(m, 'tokenizer.ggml.add_space_prefix')).toBe(true);
    expect(plain(m, 'tokenizer.ggml.add_bos_token')).toBe(true);
    expect(plain(m, 'tokenizer.ggml.add_eos_token')).toBe(false);
  });

  it('round-trips to the same SentencePiece model', () => {
    const back = ggufVocabToSentencePiece(sentencePieceToGgufVocab(proto));
    expect(back.model.pieces).toEqual(proto.pieces.map((p) => ({ piece: p.piece, score: p.score ?? 0, type: p.type ?? PieceType.NORMAL })));
    expect(back.model.normalizerSpec).toMatchObject({ name: 'identity', addDummyPrefix: true, removeExtraWhitespaces: false });
    expect(back.model.trainerSpec).toMatchObject({ modelType: 2, byteFallback: true, unkId: 0, bosId: 1, eosId: 2, vocabSize: 1400 });
    expect(back.addedTokens).toEqual([]);
  });

  it('without puyu side data still rebuilds a usable model from the llama.cpp keys alone', () => {
    const m = sentencePieceToGgufVocab(proto);
    m.delete(PUYU_TOKENIZER_SPEC_KEY);
    const back = ggufVocabToSentencePiece(m);
    expect(back.model.pieces.map((p) => p.piece)).toEqual(proto.pieces.map((p) => p.piece));
    expect(back.model.normalizerSpec).toEqual({
      name: 'identity',
      addDummyPrefix: true,
      removeExtraWhitespaces: false,
      escapeWhitespaces: true,
    });
  });

  it('pads to the embedding size and flags what llama.cpp does differently', () => {
    const m = sentencePieceToGgufVocab(proto, { vocabSize: 1402 });
    const tokens = plain(m, 'tokenizer.ggml.tokens') as string[];
    expect(tokens.slice(-2)).toEqual(['[PAD1400]', '[PAD1401]']);
    expect((plain(m, 'tokenizer.ggml.token_type') as number[]).slice(-2)).toEqual([5, 5]);
    expect(() => sentencePieceToGgufVocab(proto, { vocabSize: 10 })).toThrow(expect.objectContaining({ code: 'GGUF_VOCAB_TOO_SMALL' }));
    // The golden model has a dummy prefix and user-defined chat markers, <|im_end|> included.
    expect(ggufVocabCaveats(proto).map((c) => c.split(':')[0])).toEqual([
      'addDummyPrefix with special pieces',
      'llama.cpp treats <|im_end|> as CONTROL (end of generation)',
    ]);
    expect(ggufVocabCaveats({ ...proto, normalizerSpec: {} })[0]).toMatch(/removeExtraWhitespaces/);
  });

  it('rejects GGUF metadata that is not a SentencePiece vocabulary, with stable codes', () => {
    const bad = (entries: [string, ReturnType<typeof gv.str>][]) => () => ggufVocabToSentencePiece(new Map(entries));
    expect(bad([['tokenizer.ggml.model', gv.str('gpt2')]])).toThrow(expect.objectContaining({ code: 'GGUF_NOT_SENTENCEPIECE' }));
    expect(bad([['tokenizer.ggml.model', gv.str('llama')]])).toThrow(expect.objectContaining({ code: 'GGUF_BAD_TOKENIZER' }));
    const m = sentencePieceToGgufVocab(proto);
    m.set('tokenizer.ggml.scores', gv.f32s([1, 2]));
    expect(() => ggufVocabToSentencePiece(m)).toThrow(expect.objectContaining({ code: 'GGUF_BAD_TOKENIZER' }));
  });
});

function loadInternLM2() {
  const proto = decodeModelProto(readFileSync(join(HF, 'tokenizer.model')));
  const tokenizerConfig = JSON.parse(readFileSync(join(HF, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  const config = JSON.parse(readFileSync(join(HF, 'config.json'), 'utf8')) as Record<string, unknown>;
  const m = sentencePieceToGgufVocab(proto, { tokenizerConfig, config });
  const tokens = plain(m, 'tokenizer.ggml.tokens') as string[];
  const types = plain(m, 'tokenizer.ggml.token_type') as number[];
  const scores = plain(m, 'tokenizer.ggml.scores') as number[];
  return { proto, tokenizerConfig, m, tokens, types, scores };
}

describe.skipIf(!hasHf)('sentencePieceToGgufVocab on the real InternLM2 tokenizer (llama.cpp InternLM2Model.set_vocab rules)', () => {
  // A skipped describe's body still runs at collection: read the tokenizer only when it is there.
  const { proto, tokenizerConfig, m, tokens, types, scores } = hasHf ? loadInternLM2() : ({} as ReturnType<typeof loadInternLM2>);

  it('rewrites the chat markers, the NUL piece and unused tokens like the converter', () => {
    expect(tokens.length).toBe(92544);
    expect(tokens.slice(92538)).toEqual([
      '<|plugin|>',
      '<|interpreter|>',
      '<|action_end|>',
      '<|action_start|>',
      '<|im_end|>',
      '<|im_start|>',
    ]);
    expect(types.slice(92538)).toEqual(Array(6).fill(GgufTokenType.CONTROL));
    expect(scores.slice(92538)).toEqual(Array(6).fill(-1000));
    expect(tokens[354]).toBe('🐉');
    // InternLM2's "[UNUSED_TOKEN_n]" are user-defined pieces: they stay matchable, as in SentencePiece.
    expect(types[tokens.indexOf('[UNUSED_TOKEN_100]')]).toBe(GgufTokenType.USER_DEFINED);
    expect(types.slice(0, 4)).toEqual([GgufTokenType.CONTROL, GgufTokenType.CONTROL, GgufTokenType.CONTROL, GgufTokenType.BYTE]);
  });

  it('sets ids and flags from config.json / tokenizer_config.json, EOS = <|im_end|>', () => {
    expect(plain(m, 'tokenizer.ggml.bos_token_id')).toBe(1);
    expect(plain(m, 'tokenizer.ggml.eos_token_id')).toBe(92542);
    expect(plain(m, 'tokenizer.ggml.padding_token_id')).toBe(2);
    expect(plain(m, 'tokenizer.ggml.add_space_prefix')).toBe(false);
    expect(plain(m, 'tokenizer.ggml.add_bos_token')).toBe(true);
    expect(plain(m, 'tokenizer.ggml.add_eos_token')).toBe(false);
    expect(plain(m, 'tokenizer.chat_template')).toBe(tokenizerConfig.chat_template);
  });

  it('round-trips to the original tokenizer.model pieces and lists the added tokens', () => {
    const back = ggufVocabToSentencePiece(m);
    expect(back.model.pieces).toEqual(proto.pieces.map((p) => ({ piece: p.piece, score: p.score ?? 0, type: p.type ?? PieceType.NORMAL })));
    expect(back.model.trainerSpec).toMatchObject({ unkId: 0, bosId: 1, eosId: 2 });
    expect(back.eosTokenId).toBe(92542);
    expect(back.addedTokens.map((a) => a.content)).toEqual([
      '<unk>',
      '<s>',
      '</s>',
      '<|plugin|>',
      '<|interpreter|>',
      '<|action_end|>',
      '<|action_start|>',
      '<|im_end|>',
      '<|im_start|>',
    ]);
  });
});
