import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SentencePieceTokenizer } from './sentencepiece-tokenizer.js';

// Tiny models trained by scripts/reference/sentencepiece_small_goldens.py, with python
// sentencepiece 0.1.97's ids: unigram, nmt_nfkc charsmap, <unk> without byte fallback,
// user-defined and control symbols, dummy prefix, whitespace-as-suffix.
interface Case {
  text?: string;
  ids?: number[];
  decode_ids?: number[];
  decoded: string;
}
const fixture = JSON.parse(gunzipSync(readFileSync(resolve(__dirname, 'fixtures/spm-small-goldens.json.gz'))).toString('utf8')) as Record<
  string,
  { model: string; cases: Case[] }
>;

describe('SentencePiece parity on small trained models', () => {
  it('has the four model variants', () => {
    expect(Object.keys(fixture).sort()).toEqual([
      'bpe-identity-dummy',
      'bpe-identity-unk',
      'unigram-identity-suffix',
      'unigram-nmt_nfkc-bytes',
    ]);
  });

  for (const [name, { model, cases }] of Object.entries(fixture)) {
    it(`${name}: same ids and decoded text as sentencepiece`, () => {
      const tok = SentencePieceTokenizer.load(new Uint8Array(Buffer.from(model, 'base64')));
      const bad: string[] = [];
      for (const c of cases) {
        if (c.text !== undefined) {
          const ids = tok.encode(c.text);
          if (JSON.stringify(ids) !== JSON.stringify(c.ids)) bad.push(`ids ${JSON.stringify(c.text)}: ${ids} vs ${c.ids}`);
          else if (tok.decode(ids) !== c.decoded)
            bad.push(`decode ${JSON.stringify(c.text)}: ${JSON.stringify(tok.decode(ids))} vs ${JSON.stringify(c.decoded)}`);
        } else {
          const text = tok.decode(c.decode_ids as number[]);
          if (text !== c.decoded) bad.push(`decode ${c.decode_ids}: ${JSON.stringify(text)} vs ${JSON.stringify(c.decoded)}`);
        }
      }
      expect(bad.slice(0, 6)).toEqual([]);
    });
  }
});
