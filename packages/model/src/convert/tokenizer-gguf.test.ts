import { existsSync, readFileSync } from 'node:fs';
import { decodeModelProto, GgufValueType, ggufPlain, SentencePieceTokenizer } from '@puyu/formats';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { type InternLM2Config, parseInternLM2Config } from '../config.js';
import { sentencePieceFromGguf, tokenizerGgufMetadata } from './tokenizer-gguf.js';

const dir = INTERNLM2_TOKENIZER_DIR;
const hasReal = existsSync(`${dir}/tokenizer.model`);
if (!hasReal) console.warn(`skipping the InternLM2 tokenizer ⇄ GGUF tests: ${dir}/tokenizer.model not found (needs ../shared/models)`);

describe.skipIf(!hasReal)('InternLM2 tokenizer ⇄ GGUF metadata', () => {
  // Read before the tests, not at import, so a missing ../shared skips instead of failing.
  let modelBytes: Uint8Array;
  let tokCfg: { chat_template?: string } & Record<string, unknown>;
  let config: InternLM2Config;
  let meta: ReturnType<typeof tokenizerGgufMetadata>;
  beforeAll(() => {
    modelBytes = new Uint8Array(readFileSync(`${dir}/tokenizer.model`));
    tokCfg = JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, 'utf8'));
    config = parseInternLM2Config(JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')));
    meta = tokenizerGgufMetadata(modelBytes, config, tokCfg);
  });
  const get = (k: string) => {
    const v = meta.get(k);
    if (!v) throw new Error(`missing ${k}`);
    return ggufPlain(v);
  };

  it('exports the vocabulary the way llama.cpp InternLM2Model.set_vocab does', () => {
    const tokens = get('tokenizer.ggml.tokens') as string[];
    const types = get('tokenizer.ggml.token_type') as number[];
    const scores = get('tokenizer.ggml.scores') as number[];
    expect(tokens.length).toBe(92544);
    expect(get('tokenizer.ggml.model')).toBe('llama');
    expect(tokens[92542]).toBe('<|im_end|>');
    expect(types[92542]).toBe(3); // special → control
    expect(scores[92542]).toBe(-1000);
    expect(types[3]).toBe(6); // <0x00> byte piece
    expect(get('tokenizer.ggml.eos_token_id')).toBe(92542); // chat EOS, as llama.cpp's converter sets it
    expect(get('tokenizer.ggml.bos_token_id')).toBe(1);
    expect(get('tokenizer.ggml.add_space_prefix')).toBe(false);
    expect(meta.get('tokenizer.ggml.scores')?.type).toBe(GgufValueType.ARRAY);
  });

  it('keeps user-defined pieces user-defined, so llama.cpp matches them whole like SentencePiece', () => {
    // Deliberate difference from llama.cpp's converter (which writes NORMAL): see @puyu/formats gguf-vocab.ts.
    const types = get('tokenizer.ggml.token_type') as number[];
    const tokens = get('tokenizer.ggml.tokens') as string[];
    const userDefined = decodeModelProto(modelBytes)
      .pieces.map((p, id) => ({ id, p }))
      .filter(({ id, p }) => p.type === 4 && tokens[id] === p.piece);
    expect(userDefined.length).toBeGreaterThan(100);
    for (const { id } of userDefined) expect(types[id], tokens[id]).toBe(4);
  });

  it('rebuilds a tokenizer.model that encodes text exactly like the original', () => {
    const rebuilt = sentencePieceFromGguf(meta);
    const a = decodeModelProto(modelBytes);
    const b = decodeModelProto(rebuilt);
    expect(b.pieces.length).toBe(a.pieces.length);
    expect(b.trainerSpec?.splitDigits).toBe(true);
    expect(b.trainerSpec?.byteFallback).toBe(true);
    expect(b.trainerSpec?.eosId).toBe(2); // SentencePiece's own EOS, not the chat one
    expect(b.normalizerSpec?.addDummyPrefix).toBe(false);
    // The pieces the chat tokens overlay ([UNUSED_TOKEN_145] under <|im_end|>, …) come back too.
    const norm = (p: { piece?: string; score?: number; type?: number }) => [p.piece, p.score ?? 0, p.type ?? 1];
    expect(b.pieces.map(norm)).toEqual(a.pieces.map(norm));
    const ta = SentencePieceTokenizer.load(modelBytes);
    const tb = SentencePieceTokenizer.load(rebuilt);
    for (const text of ['Hello world, 你好世界! 12345', '  spaces  and\ttabs\n', 'emoji 🐉 and bytes \u0001']) {
      expect(tb.encode(text)).toEqual(ta.encode(text));
    }
  });

  it('without tokenizer_config.json, derives InternLM2 chat tokens and template from the pieces', () => {
    const m = tokenizerGgufMetadata(modelBytes, config);
    expect((ggufPlain(m.get('tokenizer.ggml.tokens') as never) as string[])[92543]).toBe('<|im_start|>');
    expect(ggufPlain(m.get('tokenizer.ggml.eos_token_id') as never)).toBe(92542);
    expect(ggufPlain(m.get('tokenizer.chat_template') as never)).toBe(tokCfg.chat_template);
  });

  it('rejects a tokenizer larger than the embedding table', () => {
    expect(() => tokenizerGgufMetadata(modelBytes, { ...config, vocab_size: 1000 })).toThrow(
      expect.objectContaining({ code: 'MODEL_VOCAB_MISMATCH' }),
    );
  });
});
