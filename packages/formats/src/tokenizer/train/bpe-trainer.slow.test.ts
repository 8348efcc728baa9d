import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedDataPath } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { SentencePieceTokenizer } from '../sentencepiece-tokenizer.js';
import { trainBpe, writeSentencePieceModel } from './bpe-trainer.js';
import { CORPUS_DIR, EXTRA_LINES } from './golden-spec.js';
import { pythonEncode, pythonSpmUnavailable, pythonTrain } from './python-spm.js';
import type { BpeTrainerOptions } from './trainer-options.js';

/**
 * Live interop with the Python sentencepiece library: for several option sets,
 * spm_train and trainBpe must learn the same pieces, and Python encoding our model
 * must give the ids our tokenizer gives.
 */
const why = pythonSpmUnavailable();
if (why) console.warn(`skipping sentencepiece interop: ${why}`);

function corpus(): { train: string[]; held: string[] } {
  const lines: string[] = [];
  for (const f of readdirSync(CORPUS_DIR).filter((n) => n.endsWith('.txt'))) {
    lines.push(...readFileSync(join(CORPUS_DIR, f), 'utf8').split('\n'));
  }
  // Paul Graham essays, when the shared datasets are present, add modern English.
  const pg = sharedDataPath('paulgraham-essays');
  try {
    for (const f of readdirSync(pg).filter((n) => n.endsWith('.txt') && n !== 'LICENSE.txt')) {
      lines.push(...readFileSync(join(pg, f), 'utf8').split('\n'));
    }
  } catch {
    // optional
  }
  return { train: lines.filter((_, i) => i % 7 !== 3), held: lines.filter((l, i) => i % 7 === 3 && l.trim()).slice(0, 400) };
}

const cases: [string, BpeTrainerOptions, Record<string, unknown>][] = [
  ['defaults, 4k', { vocabSize: 4000 }, { vocab_size: 4000 }],
  [
    'InternLM2-like: byte fallback, keep whitespace, split digits, chat symbols',
    {
      vocabSize: 3000,
      byteFallback: true,
      removeExtraWhitespaces: false,
      splitDigits: true,
      characterCoverage: 0.99,
      userDefinedSymbols: ['<|im_start|>', '<|im_end|>'],
    },
    {
      vocab_size: 3000,
      byte_fallback: true,
      remove_extra_whitespaces: false,
      split_digits: true,
      character_coverage: 0.99,
      user_defined_symbols: ['<|im_start|>', '<|im_end|>'],
    },
  ],
  [
    'no whitespace split, no number split, pad id',
    { vocabSize: 2500, splitByWhitespace: false, splitByNumber: false, padId: 3, allowWhitespaceOnlyPieces: true },
    { vocab_size: 2500, split_by_whitespace: false, split_by_number: false, pad_id: 3, allow_whitespace_only_pieces: true },
  ],
];

describe.skipIf(why !== undefined)('trainBpe ⇄ Python sentencepiece', () => {
  const { train, held } = corpus();
  const dir = mkdtempSync(join(tmpdir(), 'puyu-spm-'));
  const input = join(dir, 'corpus.txt');
  writeFileSync(input, `${train.join('\n')}\n`);

  for (const [name, ours, flags] of cases) {
    it(name, async () => {
      const { model } = await trainBpe(train, ours);
      const ref = pythonTrain(input, join(dir, 'ref'), flags);
      expect(model.pieces.map((p) => p.piece)).toEqual(ref.map((r) => r[0]));
      expect(model.pieces.map((p) => p.score ?? 0)).toEqual(ref.map((r) => r[1]));

      const path = join(dir, 'ours.model');
      await writeSentencePieceModel(path, model);
      const lines = [...held, ...EXTRA_LINES];
      const py = pythonEncode(path, lines);
      const tok = SentencePieceTokenizer.load(path);
      for (let i = 0; i < lines.length; i++) expect(tok.encode(lines[i] as string), JSON.stringify(lines[i])).toEqual(py[i]);
    });
  }
});

/**
 * Speed on ~10 MB of mixed English/Chinese/maths text (the shared benchmark datasets),
 * 8k vocabulary with byte fallback, against spm_train on the same file; the pieces must
 * still be identical. Prints both times.
 */
function tenMegabytes(): string[] | undefined {
  const root = sharedDataPath();
  const lines: string[] = [];
  let bytes = 0;
  const add = (l: string) => {
    if (bytes >= 10_000_000) return;
    lines.push(l);
    bytes += Buffer.byteLength(l) + 1;
  };
  try {
    for (const f of readdirSync(join(root, 'paulgraham-essays')).filter((n) => n.endsWith('.txt') && n !== 'LICENSE.txt'))
      for (const l of readFileSync(join(root, 'paulgraham-essays', f), 'utf8').split('\n')) add(l);
    for (const f of ['gsm8k/train.jsonl', 'math/test.jsonl'])
      for (const rec of readFileSync(join(root, f), 'utf8').split('\n').filter(Boolean))
        for (const v of Object.values(JSON.parse(rec) as Record<string, unknown>))
          if (typeof v === 'string') for (const l of v.split('\n')) add(l);
    for (const d of ['cmmlu/test', 'mmlu/test'])
      for (const f of readdirSync(join(root, d)).sort()) for (const l of readFileSync(join(root, d, f), 'utf8').split('\n')) add(l);
  } catch {
    return undefined;
  }
  return bytes >= 9_000_000 ? lines : undefined;
}

const big = why === undefined ? tenMegabytes() : undefined;
if (why === undefined && !big) console.warn('skipping the 10 MB trainer benchmark: ../shared/datasets not found');

describe.skipIf(!big)('trainBpe speed (10 MB, 8k vocab)', () => {
  it('trains well under a minute, with the pieces spm_train learns', async () => {
    const lines = big as string[];
    const dir = mkdtempSync(join(tmpdir(), 'puyu-spm-big-'));
    const input = join(dir, 'corpus.txt');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const t0 = performance.now();
    const { model, stats } = await trainBpe(lines, { vocabSize: 8000, byteFallback: true });
    const ours = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const ref = pythonTrain(input, join(dir, 'ref'), { vocab_size: 8000, byte_fallback: true });
    const spm = (performance.now() - t1) / 1000;
    console.log(
      `10 MB / 8k BPE: ours ${ours.toFixed(1)} s, spm_train (1 thread) ${spm.toFixed(1)} s; ${stats.uniqueWords} distinct words, ${stats.learnedPieces} merges`,
    );
    expect(model.pieces.map((p) => p.piece)).toEqual(ref.map((r) => r[0]));
    expect(ours).toBeLessThan(60);
  });
});
