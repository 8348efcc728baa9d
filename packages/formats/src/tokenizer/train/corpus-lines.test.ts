import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeUtf8LikeSentencePiece, readCorpusLines } from './corpus-lines.js';
import { makePieceValidator } from './piece-validator.js';
import { resolveBpeOptions } from './trainer-options.js';
import { MetaPieceMatcher, normalizeForTraining, splitIntoWords } from './training-normalizer.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('decodeUtf8LikeSentencePiece', () => {
  it('decodes valid UTF-8 like TextDecoder', () => {
    const s = 'a é 中 😀';
    expect(decodeUtf8LikeSentencePiece(new TextEncoder().encode(s))).toBe(s);
  });
  it('turns each byte of a broken sequence into one U+FFFD, as SentencePiece counts them', () => {
    expect(decodeUtf8LikeSentencePiece(bytes(0x61, 0xe4, 0xb8))).toBe('a\uFFFD\uFFFD'); // truncated 中
    expect(decodeUtf8LikeSentencePiece(bytes(0xc0, 0x80))).toBe('\uFFFD\uFFFD'); // overlong NUL
    expect(decodeUtf8LikeSentencePiece(bytes(0xed, 0xa0, 0x80))).toBe('\uFFFD\uFFFD\uFFFD'); // surrogate
    expect(decodeUtf8LikeSentencePiece(bytes(0xf4, 0x90, 0x80, 0x80))).toBe('\uFFFD\uFFFD\uFFFD\uFFFD'); // > U+10FFFF
    expect(decodeUtf8LikeSentencePiece(bytes(0xff, 0x62))).toBe('\uFFFDb');
  });
});

describe('readCorpusLines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'puyu-corpus-'));
  it('streams text lines (CRLF or LF, no trailing newline) and JSONL fields split at newlines', async () => {
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.JSONL');
    writeFileSync(a, 'one\r\ntwo\n\nthree');
    writeFileSync(b, '{"text":"x\\ny"}\n\n{"text":"z"}\n');
    let seen = 0;
    const lines: string[] = [];
    for await (const l of readCorpusLines([a, b], { onBytes: (d) => (seen = d) })) lines.push(l);
    expect(lines).toEqual(['one', 'two', '', 'three', 'x', 'y', 'z']);
    expect(seen).toBe(15 + 30);
  });
  it('reads lines that straddle its 1 MiB chunks intact', async () => {
    const p = join(dir, 'big.txt');
    const line = `${'汉'.repeat(1000)}x`;
    writeFileSync(p, `${Array(800).fill(line).join('\n')}\n`);
    const lines: string[] = [];
    for await (const l of readCorpusLines([p])) lines.push(l);
    expect(lines).toHaveLength(800);
    expect(lines.every((l) => l === line)).toBe(true);
  });
  it('refuses directories', async () => {
    await expect(async () => {
      for await (const _ of readCorpusLines([dir])) void _;
    }).rejects.toMatchObject({ code: 'CORPUS_NOT_A_FILE' });
  });
  it('reports JSONL records without the field', async () => {
    const p = join(dir, 'c.jsonl');
    writeFileSync(p, '{"body":"x"}\n');
    await expect(async () => {
      for await (const _ of readCorpusLines([p])) void _;
    }).rejects.toMatchObject({ code: 'CORPUS_MISSING_FIELD' });
  });
});

describe('training normalizer and piece rules', () => {
  const o = resolveBpeOptions({ vocabSize: 10 });
  it('normalizes like SentencePiece identity + whitespace rules', () => {
    expect(normalizeForTraining('  Hello   world  ', o)).toBe('▁Hello▁world');
    expect(normalizeForTraining('   ', o)).toBe('');
    expect(normalizeForTraining('a  b', { ...o, removeExtraWhitespaces: false, addDummyPrefix: false })).toBe('a▁▁b');
    expect(normalizeForTraining('x\uD800y', o)).toBe('▁x\uFFFDy');
  });
  it('splits words before each ▁ (runs of ▁ stay together only when allowed)', () => {
    expect(splitIntoWords('▁a▁▁b', false)).toEqual(['▁a', '▁', '▁b']);
    expect(splitIntoWords('▁a▁▁b', true)).toEqual(['▁a', '▁▁b']);
    expect(splitIntoWords('ab', false)).toEqual(['ab']);
  });
  it('cuts meta pieces out of training text, longest first', () => {
    const m = new MetaPieceMatcher(['<s>', '<|im', '<|im_start|>']);
    expect(m.replace('a<|im_start|>b<s>c<|imd')).toBe('a\tb\tc\td');
  });
  it('rejects pieces that mix scripts, end in ▁, or hold several digits when asked', () => {
    const valid = makePieceValidator(o);
    const cp = (s: string) => [...s].map((c) => c.codePointAt(0) as number);
    expect(valid(cp('▁hello'))).toBe(true);
    expect(valid(cp('he▁'))).toBe(false);
    expect(valid(cp('a中'))).toBe(false);
    expect(valid(cp('日本語のカタカナ'))).toBe(true); // kana count as Han
    expect(valid(cp('é'))).toBe(true);
    expect(valid(cp('e\u0301'))).toBe(true); // combining mark joins its base
    expect(valid(cp('a1'))).toBe(false);
    expect(valid(cp('12'))).toBe(true);
    expect(makePieceValidator({ ...o, splitDigits: true })(cp('12'))).toBe(false);
    expect(makePieceValidator({ ...o, splitByNumber: false })(cp('a1'))).toBe(true);
    expect(valid(cp('x'.repeat(17)))).toBe(false);
  });
});
