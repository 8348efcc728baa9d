import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { decodeModelProto } from './sentencepiece-proto.js';
import { SentencePieceTokenizer } from './sentencepiece-tokenizer.js';

// Goldens come from scripts/reference/sentencepiece_goldens.py (python sentencepiece 0.1.97).
const MODEL = join(INTERNLM2_TOKENIZER_DIR, 'tokenizer.model');
const FIXTURE = resolve(__dirname, 'fixtures/internlm2-goldens.jsonl.gz');
const hasModel = existsSync(MODEL);
if (!hasModel) console.warn(`skipping SentencePiece parity tests: ${MODEL} not found (needs ../shared/models)`);

interface Golden {
  text?: string;
  ids?: number[];
  decoded: string;
  ids_dp?: number[];
  decoded_dp?: string;
  decode_ids?: number[];
}

function goldens(): Golden[] {
  return gunzipSync(readFileSync(FIXTURE))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Golden);
}

/** Reports the first few mismatches with context instead of one opaque diff. */
function mismatches<T>(cases: T[], check: (c: T) => string | undefined): string[] {
  const bad: string[] = [];
  for (const c of cases) {
    const m = check(c);
    if (m !== undefined) bad.push(m);
  }
  return bad;
}

describe.skipIf(!hasModel)('SentencePiece parity with python sentencepiece on InternLM2', () => {
  const all = hasModel ? goldens() : [];
  const lines = all.filter((g) => g.text !== undefined);
  const decodeCases = all.filter((g) => g.decode_ids !== undefined);
  const tok = hasModel ? SentencePieceTokenizer.load(MODEL) : (undefined as unknown as SentencePieceTokenizer);

  it('fixture is large enough to mean something', () => {
    expect(lines.length).toBeGreaterThanOrEqual(2000);
    expect(decodeCases.length).toBeGreaterThan(100);
  });

  it('encodes every line to the same ids and round-trips the same text', () => {
    const bad = mismatches(lines, (g) => {
      const ids = tok.encode(g.text as string);
      if (JSON.stringify(ids) !== JSON.stringify(g.ids)) return `ids ${JSON.stringify(g.text)}: ${ids} vs ${g.ids}`;
      const text = tok.decode(ids);
      if (text !== g.decoded) return `decode ${JSON.stringify(g.text)}: ${JSON.stringify(text)} vs ${JSON.stringify(g.decoded)}`;
      return undefined;
    });
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('matches again on a second pass, with the chunk cache warm', () => {
    const bad = mismatches(lines.slice(0, 500), (g) =>
      JSON.stringify(tok.encode(g.text as string)) === JSON.stringify(g.ids) ? undefined : (g.text as string),
    );
    expect(bad).toEqual([]);
  });

  it('decodes random id sequences (byte runs, invalid UTF-8, control, unk) like sentencepiece', () => {
    const bad = mismatches(decodeCases, (g) => {
      const text = tok.decode(g.decode_ids as number[]);
      return text === g.decoded ? undefined : `${g.decode_ids}: ${JSON.stringify(text)} vs ${JSON.stringify(g.decoded)}`;
    });
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('follows add_dummy_prefix + remove_extra_whitespaces on a variant of the model', () => {
    const proto = decodeModelProto(new Uint8Array(readFileSync(MODEL)));
    proto.normalizerSpec = { ...proto.normalizerSpec, addDummyPrefix: true, removeExtraWhitespaces: true };
    const dp = SentencePieceTokenizer.fromProto(proto);
    const withDp = lines.filter((g) => g.ids_dp !== undefined);
    expect(withDp.length).toBeGreaterThan(500);
    const bad = mismatches(withDp, (g) => {
      const ids = dp.encode(g.text as string);
      if (JSON.stringify(ids) !== JSON.stringify(g.ids_dp)) return `ids ${JSON.stringify(g.text)}: ${ids} vs ${g.ids_dp}`;
      const text = dp.decode(ids);
      return text === g.decoded_dp ? undefined : `decode ${JSON.stringify(g.text)}: ${JSON.stringify(text)}`;
    });
    expect(bad.slice(0, 5)).toEqual([]);
    const badDecode = mismatches(decodeCases, (g) =>
      dp.decode(g.decode_ids as number[]) === g.decoded_dp ? undefined : String(g.decode_ids),
    );
    expect(badDecode.slice(0, 5)).toEqual([]);
  });
});
