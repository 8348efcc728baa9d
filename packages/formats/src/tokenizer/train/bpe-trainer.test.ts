import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModelProto, encodeModelProto, PieceType } from '../sentencepiece-proto.js';
import { SentencePieceTokenizer } from '../sentencepiece-tokenizer.js';
import { kthSmallest } from './bpe-merger.js';
import { trainBpe } from './bpe-trainer.js';
import { FIXTURE_DIR, GOLDEN_OPTIONS, goldenCorpus, QUIRK_CASES } from './golden-spec.js';

interface Golden {
  refPieces: [string, number][];
  cases: { text: string; ids: number[] }[];
}
const golden = JSON.parse(readFileSync(join(FIXTURE_DIR, 'golden-bpe.json'), 'utf8')) as Golden;
const goldenModel = readFileSync(join(FIXTURE_DIR, 'golden-bpe.model'));

describe('trainBpe against the SentencePiece 0.1.97 goldens', () => {
  it('learns exactly the pieces, order and scores of spm_train (bpe, byte fallback, user symbols, split digits)', async () => {
    const { model } = await trainBpe(goldenCorpus().train, GOLDEN_OPTIONS, ['golden-corpus']);
    // (+ 0 turns the first piece's -0 into 0, as JSON stored it.)
    expect(model.pieces.map((p) => [p.piece, (p.score ?? 0) + 0])).toEqual(golden.refPieces);
    // Deterministic down to the bytes of the .model file.
    expect(Buffer.from(encodeModelProto(model)).equals(goldenModel)).toBe(true);
  });

  it('our tokenizer on our model gives Python sentencepiece ids on held-out lines', () => {
    const tok = SentencePieceTokenizer.load(new Uint8Array(goldenModel));
    expect(golden.cases.length).toBeGreaterThanOrEqual(200);
    for (const c of golden.cases) expect(tok.encode(c.text), JSON.stringify(c.text)).toEqual(c.ids);
  });
});

describe('trainBpe on corner-case corpora (frozen spm_train output)', () => {
  const quirks = (
    JSON.parse(readFileSync(join(FIXTURE_DIR, 'golden-quirks.json'), 'utf8')) as { quirks: { name: string; pieces: [string, number][] }[] }
  ).quirks;
  for (const c of QUIRK_CASES) {
    it(c.name, async () => {
      const { model } = await trainBpe(c.lines, c.ours);
      const ref = quirks.find((q) => q.name === c.name);
      expect(model.pieces.map((p) => [p.piece, (p.score ?? 0) + 0])).toEqual(ref?.pieces);
    });
  }
});

describe('trainBpe', () => {
  const corpus = ['the cat sat on the mat', 'the dog sat on the log', 'a cat and a dog', '猫和狗 123 4567'];

  it('lays out meta pieces like spm_train: unk/bos/eos, user symbols, bytes, then merges, then the alphabet', async () => {
    const { model, stats } = await trainBpe(corpus, {
      vocabSize: 300,
      byteFallback: true,
      userDefinedSymbols: ['<|im_start|>'],
      hardVocabLimit: false,
      characterCoverage: 1,
    });
    const p = model.pieces;
    expect(p.slice(0, 4).map((x) => [x.piece, x.type])).toEqual([
      ['<unk>', PieceType.UNKNOWN],
      ['<s>', PieceType.CONTROL],
      ['</s>', PieceType.CONTROL],
      ['<|im_start|>', PieceType.USER_DEFINED],
    ]);
    expect(p[4]).toMatchObject({ piece: '<0x00>', type: PieceType.BYTE });
    expect(p[259]).toMatchObject({ piece: '<0xFF>', type: PieceType.BYTE });
    const learned = p.slice(260);
    // Scores are -rank, strictly decreasing, so encoding by score replays merge order.
    expect(learned.map((x) => x.score)).toEqual(learned.map((_, i) => -i));
    expect(new Set(p.map((x) => x.piece)).size).toBe(p.length);
    // The alphabet closes the list: every character of the corpus.
    const alphabet = learned.slice(-stats.alphabetSize).map((x) => x.piece);
    expect(new Set(alphabet)).toEqual(new Set([...corpus.join('')].map((c) => (c === ' ' ? '▁' : c))));
    expect(model.trainerSpec?.vocabSize).toBe(p.length);
    expect(model.normalizerSpec).toMatchObject({ name: 'identity', addDummyPrefix: true, escapeWhitespaces: true });
  });

  it('never merges across scripts, digits (splitDigits) or whitespace', async () => {
    const { model } = await trainBpe(corpus, { vocabSize: 120, splitDigits: true, hardVocabLimit: false });
    for (const { piece = '' } of model.pieces.slice(3)) {
      expect(piece.slice(1)).not.toContain('▁');
      if (/[0-9]/.test(piece)) expect([...piece].length).toBe(1);
      expect(/[a-z]/.test(piece) && /[猫狗和]/.test(piece)).toBe(false);
    }
  });

  it('counts "aaa" once for the pair "aa" (overlaps are not double counted)', async () => {
    // Words "aaa" x2 and "ab" x3: "ab" = 3 beats "aa" = 2 (it would be 4 if overlaps counted).
    const { model } = await trainBpe(['aaa', 'aaa', 'ab', 'ab', 'ab'], { vocabSize: 7, addDummyPrefix: false });
    expect(model.pieces.map((p) => p.piece)).toEqual(['<unk>', '<s>', '</s>', 'ab', 'aa', 'a', 'b']);
  });

  it('reserves ids for pad and honours custom special ids', async () => {
    const { model } = await trainBpe(corpus, { vocabSize: 60, unkId: 3, bosId: 0, eosId: 1, padId: 2, hardVocabLimit: false });
    expect(model.pieces.slice(0, 4).map((p) => p.piece)).toEqual(['<s>', '</s>', '<pad>', '<unk>']);
    expect(decodeModelProto(encodeModelProto(model)).trainerSpec).toMatchObject({ unkId: 3, bosId: 0, eosId: 1, padId: 2 });
  });

  it('reports errors with stable codes', async () => {
    await expect(trainBpe(corpus, { vocabSize: 10 })).rejects.toMatchObject({ code: 'TOKENIZER_TRAIN_VOCAB_TOO_SMALL' });
    await expect(trainBpe(corpus, { vocabSize: 5000 })).rejects.toMatchObject({ code: 'TOKENIZER_TRAIN_VOCAB_TOO_LARGE' });
    await expect(trainBpe(['', '   '], { vocabSize: 100 })).rejects.toMatchObject({ code: 'TOKENIZER_TRAIN_EMPTY_CORPUS' });
    await expect(trainBpe(corpus, { vocabSize: 0 })).rejects.toMatchObject({ code: 'TOKENIZER_TRAIN_BAD_OPTION' });
    await expect(trainBpe(corpus, { vocabSize: 100, characterCoverage: 0.5 })).rejects.toMatchObject({
      code: 'TOKENIZER_TRAIN_BAD_OPTION',
    });
    await expect(trainBpe(corpus, { vocabSize: 100, userDefinedSymbols: ['x', 'x'] })).rejects.toMatchObject({
      code: 'TOKENIZER_TRAIN_BAD_SPECIAL_PIECES',
    });
    await expect(trainBpe(corpus, { vocabSize: 100, bosId: 0 })).rejects.toMatchObject({ code: 'TOKENIZER_TRAIN_BAD_SPECIAL_PIECES' });
    await expect(trainBpe(['word\t2', 'oops'], { vocabSize: 100, inputFormat: 'tsv' })).rejects.toMatchObject({
      code: 'TOKENIZER_TRAIN_BAD_TSV',
    });
    await expect(trainBpe(['word\t0'], { vocabSize: 100, inputFormat: 'tsv' })).rejects.toMatchObject({ code: 'TOKENIZER_TRAIN_BAD_TSV' });
  });

  it('skips over-long lines and respects maxLines', async () => {
    const long = 'x'.repeat(5000);
    const { stats } = await trainBpe([long, ...corpus], { vocabSize: 40, hardVocabLimit: false, maxLines: 2 });
    expect(stats.linesSkippedTooLong).toBe(1);
    expect(stats.linesRead).toBe(2);
  });
});

describe('kthSmallest', () => {
  it('agrees with sorting, duplicates included', () => {
    let seed = 7;
    for (let n = 1; n < 60; n += 7) {
      const a = Float64Array.from({ length: n }, () => {
        seed = (seed * 16807) % 2147483647;
        return seed % 5;
      });
      const sorted = Float64Array.from(a).sort();
      for (let k = 0; k < n; k++) expect(kthSmallest(Float64Array.from(a), k)).toBe(sorted[k]);
    }
  });
});
