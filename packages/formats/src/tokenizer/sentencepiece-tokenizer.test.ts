import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenizerError } from '@puyu/core';
import { describe, expect, it } from 'vitest';
import { loadHfTokenizer, loadTokenizer } from './hf-tokenizer.js';
import { encodeModelProto, type ModelProto, ModelType, type NormalizerSpec, PieceType, type SentencePiece } from './sentencepiece-proto.js';
import { SentencePieceTokenizer } from './sentencepiece-tokenizer.js';

const bytePieces = (): SentencePiece[] =>
  Array.from({ length: 256 }, (_, b) => ({
    piece: `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`,
    score: 0,
    type: PieceType.BYTE,
  }));

/** A toy BPE model: <unk> <s> </s>, optional byte pieces, then `normal` with their scores. */
function toy(
  normal: Array<[string, number, number?]>,
  opts: { bytes?: boolean; normalizer?: NormalizerSpec; modelType?: number } = {},
): ModelProto {
  const pieces: SentencePiece[] = [
    { piece: '<unk>', score: 0, type: PieceType.UNKNOWN },
    { piece: '<s>', score: 0, type: PieceType.CONTROL },
    { piece: '</s>', score: 0, type: PieceType.CONTROL },
    ...(opts.bytes ? bytePieces() : []),
    ...normal.map(([piece, score, type]) => ({ piece, score, type })),
  ];
  return {
    pieces,
    trainerSpec: { modelType: opts.modelType ?? ModelType.BPE, byteFallback: opts.bytes ?? false },
    normalizerSpec: opts.normalizer ?? { name: 'identity', addDummyPrefix: false, removeExtraWhitespaces: false },
  };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof TokenizerError ? e.code : `not a TokenizerError: ${String(e)}`;
  }
  return undefined;
}

/** Independent oracle: repeatedly merge the best-scoring adjacent pair (leftmost on ties). */
function naiveBpe(text: string, scores: Map<string, number>): string[] {
  const syms = Array.from(text);
  for (;;) {
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let i = 0; i + 1 < syms.length; i++) {
      const s = scores.get(syms[i] + syms[i + 1]);
      if (s !== undefined && s > bestScore) {
        best = i;
        bestScore = s;
      }
    }
    if (best < 0) return syms;
    syms.splice(best, 2, syms[best] + syms[best + 1]);
  }
}

describe('SentencePieceTokenizer on toy models', () => {
  it('merges by score, leftmost first on ties', () => {
    const tok = SentencePieceTokenizer.fromProto(
      toy([
        ['a', -5],
        ['b', -5],
        ['c', -5],
        ['ab', -1],
        ['bc', -1],
        ['abc', -0.5],
        ['bcc', -0.1],
      ]),
    );
    // ab and bc tie: ab (left) wins, then abc.
    expect(tok.encodeAsPieces('abc')).toEqual(['abc']);
    // "abcc": ab first (tie, leftmost), then abc (-0.5); bcc never forms.
    expect(tok.encodeAsPieces('abcc')).toEqual(['abc', 'c']);
    expect(tok.encodeAsPieces('bcc')).toEqual(['bcc']);
  });

  it('matches an independent naive BPE on random vocabularies and strings', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const alphabet = ['a', 'b', 'c', '\u2581', '中', '😀'];
    for (let trial = 0; trial < 40; trial++) {
      const scores = new Map<string, number>();
      // Some characters are not pieces themselves but occur inside pieces: they
      // must still merge, and come out as <unk> when they stay alone.
      for (const ch of alphabet) if (trial % 2 === 0 || rand() < 0.5) scores.set(ch, -100);
      for (let k = 0; k < 40; k++) {
        let p = '';
        const len = 2 + Math.floor(rand() * 4);
        for (let j = 0; j < len; j++) p += alphabet[Math.floor(rand() * alphabet.length)];
        // Integer scores make ties common, which is where ordering bugs hide.
        if (!scores.has(p)) scores.set(p, -Math.floor(rand() * 6));
      }
      const tok = SentencePieceTokenizer.fromProto(toy([...scores].map(([p, s]) => [p, s])));
      for (let n = 0; n < 30; n++) {
        let text = '';
        const len = Math.floor(rand() * 40);
        for (let j = 0; j < len; j++) text += rand() < 0.15 ? ' ' : alphabet[Math.floor(rand() * alphabet.length)];
        const expected: string[] = [];
        for (const p of naiveBpe(text.replaceAll(' ', '\u2581'), scores)) {
          const q = scores.has(p) ? p : '<unk>';
          if (q !== '<unk>' || expected.at(-1) !== '<unk>') expected.push(q);
        }
        expect(tok.encodeAsPieces(text), JSON.stringify(text)).toEqual(expected);
        // Second time through the chunk cache.
        expect(tok.encodeAsPieces(text)).toEqual(expected);
      }
    }
  });

  it('falls back to UTF-8 byte pieces, or <unk> without byte fallback', () => {
    const withBytes = SentencePieceTokenizer.fromProto(toy([['a', -1]], { bytes: true }));
    expect(withBytes.encodeAsPieces('aé')).toEqual(['a', '<0xC3>', '<0xA9>']);
    expect(withBytes.decode(withBytes.encode('aé😀'))).toBe('aé😀');
    // Invalid UTF-8 byte runs: one U+FFFD per bad byte, as SentencePiece does.
    const [c3, e4, b8] = ['<0xC3>', '<0xE4>', '<0xB8>'].map((p) => withBytes.pieceToId(p));
    expect(withBytes.decode([e4, b8, withBytes.pieceToId('a')])).toBe('\uFFFD\uFFFDa');
    expect(withBytes.decode([c3])).toBe('\uFFFD');
    const noBytes = SentencePieceTokenizer.fromProto(toy([['a', -1]]));
    // A run of unknown characters is one <unk>, as in SentencePiece.
    expect(noBytes.encode('aééaé')).toEqual([3, 0, 3, 0]);
    expect(noBytes.decode([3, 0, 1, 3])).toBe('a \u2047 a');
  });

  it('matches user-defined symbols greedily (longest) and never merges them', () => {
    const tok = SentencePieceTokenizer.fromProto(
      toy([
        ['x', -1],
        ['y', -1],
        ['z', -1],
        ['xy', 0, PieceType.USER_DEFINED],
        ['xyz', 0, PieceType.USER_DEFINED],
        ['zx', 5],
      ]),
    );
    expect(tok.encodeAsPieces('xyzx')).toEqual(['xyz', 'x']);
    expect(tok.encodeAsPieces('zxy')).toEqual(['z', 'xy']);
    expect(tok.encodeAsPieces('zx')).toEqual(['zx']);
  });

  it('re-splits UNUSED pieces into the pieces they were merged from', () => {
    const tok = SentencePieceTokenizer.fromProto(
      toy([
        ['a', -5],
        ['b', -5],
        ['c', -5],
        ['ab', -1, PieceType.UNUSED],
        ['abc', -2],
      ]),
    );
    expect(tok.encodeAsPieces('ab')).toEqual(['a', 'b']);
    expect(tok.encodeAsPieces('abc')).toEqual(['abc']);
  });

  it('applies add_dummy_prefix and remove_extra_whitespaces, and strips the prefix on decode', () => {
    const tok = SentencePieceTokenizer.fromProto(
      toy(
        [
          ['\u2581', -1],
          ['a', -1],
          ['\u2581a', -0.5],
        ],
        { normalizer: { name: 'identity' } },
      ),
    );
    expect(tok.encodeAsPieces('  a   a  ')).toEqual(['\u2581a', '\u2581a']);
    expect(tok.encode('   ')).toEqual([]);
    expect(tok.decode(tok.encode('a a'))).toBe('a a');
  });

  it('adds BOS/EOS and splits HF added tokens (longest match wins)', () => {
    const tok = SentencePieceTokenizer.fromProto(
      toy([
        ['a', -1],
        ['<', -1],
        ['>', -1],
        ['[T0]', 0, PieceType.USER_DEFINED],
        ['[T1]', 0, PieceType.USER_DEFINED],
      ]),
    );
    tok.addTokens([
      { id: 6, content: '<a>', special: true },
      { id: 7, content: '<a>>', special: true },
    ]);
    expect(tok.encode('a<a>>a<a>', { parseSpecial: true, addBos: true, addEos: true })).toEqual([1, 3, 7, 3, 6, 2]);
    expect(tok.encode('<a>')).toEqual([4, 3, 5]);
    expect(tok.decode([1, 3, 7, 3, 6, 2])).toBe('a<a>>a<a>');
    expect(tok.decode([3, 7, 3], { skipSpecial: true })).toBe('aa');
    expect(tok.idToPiece(7)).toBe('<a>>');
    expect(tok.encodeAsPieces('a<a>', { parseSpecial: true })).toEqual(['a', '<a>']);
    expect(tok.pieceToId('<a>')).toBe(6);
    expect(tok.pieceToId('nope')).toBe(0);
    expect(code(() => tok.addTokens([{ id: -1, content: 'x', special: true }]))).toBe('TOKENIZER_BAD_ADDED_TOKEN');
    expect(code(() => tok.addTokens([{ id: 1e9, content: 'x', special: true }]))).toBe('TOKENIZER_BAD_ADDED_TOKEN');
    expect(code(() => tok.addTokens([{ id: 3, content: '', special: true }]))).toBe('TOKENIZER_BAD_ADDED_TOKEN');
    // Past the SentencePiece vocabulary: extends it (HF's appended <pad>), and only that id becomes valid.
    tok.addTokens([{ id: 10, content: '<pad>', special: true }]);
    expect(tok.vocabSize).toBe(11);
    expect(tok.encode('a<pad>', { parseSpecial: true })).toEqual([3, 10]);
    expect(tok.decode([3, 10])).toBe('a<pad>');
    expect(code(() => tok.decode([9]))).toBe('TOKENIZER_BAD_ID');
  });

  it('handles long inputs: one 200k-symbol chunk and a long mixed line', () => {
    const tok = SentencePieceTokenizer.fromProto(
      toy([
        ['a', -5],
        ['b', -5],
        ['aa', -1],
        ['aaaa', -2],
      ]),
    );
    const ids = tok.encode('a'.repeat(200_000));
    expect(ids.length).toBe(50_000);
    expect(new Set(ids)).toEqual(new Set([tok.pieceToId('aaaa')]));
    const mixed = 'ab aab b'.repeat(20_000);
    const pieces = tok.encodeAsPieces(mixed);
    expect(pieces.join('')).toBe(mixed.replaceAll(' ', '\u2581').replaceAll('\u2581', '<unk>'));
  });

  it('exposes special ids and vocab size', () => {
    const tok = SentencePieceTokenizer.fromProto(toy([['a', -1]]));
    expect([tok.unkId, tok.bosId, tok.eosId, tok.padId, tok.vocabSize]).toEqual([0, 1, 2, -1, 4]);
  });
});

describe('SentencePieceTokenizer errors', () => {
  it('refuses unsupported model types and corrupt charsmaps with clear codes', () => {
    expect(code(() => SentencePieceTokenizer.fromProto(toy([['a', -1]], { modelType: ModelType.WORD })))).toBe(
      'TOKENIZER_UNSUPPORTED_MODEL_TYPE',
    );
    expect(code(() => SentencePieceTokenizer.fromProto(toy([['a', -1]], { modelType: 9 })))).toBe('TOKENIZER_UNSUPPORTED_MODEL_TYPE');
    const nfkc = toy([['a', -1]], { normalizer: { name: 'nfkc_cf', precompiledCharsmap: new Uint8Array(8) } });
    expect(code(() => SentencePieceTokenizer.fromProto(nfkc))).toBe('TOKENIZER_BAD_CHARSMAP');
    // A charsmap whose trie is garbage must not crash or hang the encoder.
    const junk = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
    new DataView(junk.buffer).setUint32(0, 32, true);
    const tok = SentencePieceTokenizer.fromProto(toy([['a', -1]], { normalizer: { name: 'x', precompiledCharsmap: junk } }));
    expect(Array.isArray(tok.encode('a bé 中'))).toBe(true);
  });

  it('rejects corrupt models: missing unk, duplicate pieces, bad byte pieces', () => {
    const noUnk = toy([['a', -1]]);
    noUnk.pieces.shift();
    expect(code(() => SentencePieceTokenizer.fromProto(noUnk))).toBe('TOKENIZER_NO_UNK');
    expect(
      code(() =>
        SentencePieceTokenizer.fromProto(
          toy([
            ['a', -1],
            ['a', -2],
          ]),
        ),
      ),
    ).toBe('TOKENIZER_DUPLICATE_PIECE');
    expect(code(() => SentencePieceTokenizer.fromProto(toy([['<0xZZ>', 0, PieceType.BYTE]])))).toBe('TOKENIZER_BAD_BYTE_PIECE');
  });

  it('reports missing, truncated and non-model files without crashing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-spm-'));
    try {
      expect(code(() => SentencePieceTokenizer.load(join(dir, 'missing.model')))).toBe('TOKENIZER_MODEL_NOT_FOUND');
      expect(code(() => SentencePieceTokenizer.load(dir))).toBe('TOKENIZER_MODEL_UNREADABLE');
      const good = encodeModelProto(toy([['a', -1]], { bytes: true }));
      for (const cut of [1, 7, good.length - 3]) {
        expect(code(() => SentencePieceTokenizer.load(good.subarray(0, cut)))).toBe('TOKENIZER_MODEL_CORRUPT');
      }
      expect(code(() => SentencePieceTokenizer.load(new TextEncoder().encode('{"not": "a model"}')))).toBe('TOKENIZER_MODEL_CORRUPT');
      expect(code(() => loadHfTokenizer(dir))).toBe('TOKENIZER_MODEL_NOT_FOUND');
      writeFileSync(join(dir, 'tokenizer.model'), good);
      writeFileSync(join(dir, 'tokenizer_config.json'), '{ broken');
      expect(code(() => loadTokenizer(dir))).toBe('TOKENIZER_CONFIG_INVALID');
      writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ added_tokens_decoder: { '3': { content: '<|x|>' } } }));
      expect(loadTokenizer(dir).encode('a<|x|>', { parseSpecial: true })).toEqual([259, 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects out-of-range and non-integer ids on decode', () => {
    const tok = SentencePieceTokenizer.fromProto(toy([['a', -1]]));
    expect(code(() => tok.decode([4]))).toBe('TOKENIZER_BAD_ID');
    expect(code(() => tok.decode([-1]))).toBe('TOKENIZER_BAD_ID');
    expect(code(() => tok.decode([1.5]))).toBe('TOKENIZER_BAD_ID');
    expect(code(() => tok.idToPiece(100))).toBe('TOKENIZER_BAD_ID');
    expect(code(() => tok.decode(null as unknown as number[]))).toBe('TOKENIZER_BAD_INPUT');
    expect(code(() => tok.encode(42 as unknown as string))).toBe('TOKENIZER_BAD_INPUT');
  });
});
