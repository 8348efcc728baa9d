import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PuyuError } from '@puyu/core';
import { describe, expect, it } from 'vitest';
import { SentencePieceTokenizer } from './sentencepiece-tokenizer.js';

// Corrupt models must fail with a coded PuyuError (or load and still behave), never
// with a TypeError/RangeError or a hang: mutate bytes of real trained models.
const fixture = JSON.parse(gunzipSync(readFileSync(resolve(__dirname, 'fixtures/spm-small-goldens.json.gz'))).toString('utf8')) as Record<
  string,
  { model: string }
>;

function mutations(model: Uint8Array, count: number, seed: number): Uint8Array[] {
  let s = seed;
  const rand = (n: number) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const m = model.slice();
    const edits = 1 + rand(4);
    for (let e = 0; e < edits; e++) m[rand(m.length)] = rand(256);
    // Every third sample is also truncated at a random point.
    out.push(i % 3 === 0 ? m.subarray(0, rand(m.length)) : m);
  }
  return out;
}

describe('SentencePiece loader on corrupted models', () => {
  for (const name of ['bpe-identity-unk', 'unigram-identity-suffix', 'bpe-identity-dummy']) {
    it(`${name}: every mutation loads or fails with a coded error`, () => {
      const model = new Uint8Array(Buffer.from(fixture[name].model, 'base64'));
      let loaded = 0;
      for (const m of mutations(model, 150, name.length)) {
        let tok: SentencePieceTokenizer | undefined;
        try {
          tok = SentencePieceTokenizer.load(m);
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(PuyuError);
          continue;
        }
        loaded++;
        const ids = tok.encode(' Hello wörld 中文 😀  tabs\tand <sep>', { addBos: tok.bosId >= 0 });
        expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < tok.vocabSize)).toBe(true);
        expect(typeof tok.decode(ids)).toBe('string');
      }
      // Most single-byte edits land in piece strings and scores, which still load.
      expect(loaded).toBeGreaterThan(10);
    });
  }
});
