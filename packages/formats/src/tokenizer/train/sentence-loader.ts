import { TokenizerError } from '@puyu/core';
import type { ResolvedBpeOptions } from './trainer-options.js';
import { BOUNDARY_CHAR, MetaPieceMatcher, normalizeForTraining, splitIntoWords, UNK_CHAR } from './training-normalizer.js';

export interface TrainingSentence {
  text: string;
  freq: number;
}

export interface LoadedSentences {
  /** Unique words (or whole sentences without split_by_whitespace), most frequent first. */
  sentences: TrainingSentence[];
  /** The alphabet: code point → occurrences, in SentencePiece's order (required first, then by count). */
  requiredChars: Map<number, number>;
  linesRead: number;
  linesSkippedTooLong: number;
  linesSkippedReserved: number;
  /** Fraction of character occurrences the alphabet covers. */
  coverage: number;
}

const utf8 = new TextEncoder();

/** Code-point (= UTF-8 byte) order, which is std::string's order in the reference trainer. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF) encode code points above every BMP character.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * SentencePiece's LoadSentences + SplitSentencesByWhitespace, streaming: each line is
 * checked, normalized, cut at meta pieces and counted as words right away, so memory
 * holds the distinct words, not the corpus.
 */
export async function loadSentences(
  lines: Iterable<string> | AsyncIterable<string>,
  o: ResolvedBpeOptions,
  metaPieces: string[],
): Promise<LoadedSentences> {
  const matcher = new MetaPieceMatcher(metaPieces);
  const counts = new Map<string, number>();
  let linesRead = 0;
  let tooLong = 0;
  let reserved = 0;
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    let line = raw;
    let weight = 1;
    if (o.inputFormat === 'tsv') {
      const parts = raw.split('\t');
      const n = Number(parts[1]);
      if (parts.length !== 2 || !Number.isSafeInteger(n) || n < 1) {
        throw new TokenizerError(
          'TOKENIZER_TRAIN_BAD_TSV',
          `TSV line ${lineNo} must be "sentence<TAB>count" with a count >= 1 (got ${JSON.stringify(raw.slice(0, 80))}).`,
        );
      }
      line = parts[0] as string;
      weight = n;
    }
    if (line.length === 0) continue;
    // Cheap bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
    if (line.length * 3 > o.maxSentenceLength && utf8.encode(line).length > o.maxSentenceLength) {
      tooLong++;
      continue;
    }
    if (line.includes(UNK_CHAR)) {
      reserved++;
      continue;
    }
    linesRead++;
    const s = matcher.replace(normalizeForTraining(line, o));
    if (s.length > 0) {
      if (o.splitByWhitespace) {
        for (const w of splitIntoWords(s, o.allowWhitespaceOnlyPieces)) counts.set(w, (counts.get(w) ?? 0) + weight);
      } else counts.set(s, (counts.get(s) ?? 0) + weight);
    }
    if (linesRead % 10000 === 0) o.onProgress?.({ phase: 'read', done: linesRead, total: o.maxLines || linesRead });
    if (o.maxLines > 0 && linesRead >= o.maxLines) break;
  }
  if (counts.size === 0) {
    throw new TokenizerError(
      'TOKENIZER_TRAIN_EMPTY_CORPUS',
      'The training corpus has no usable text: every line was empty, longer than maxSentenceLength, or held U+2585. Check the input files.',
    );
  }

  // Character counts, weighted by word frequency (the same totals as counting lines).
  const charCount = new Map<number, number>();
  let allChars = 0;
  for (const [w, f] of counts) {
    for (const ch of w) {
      const c = ch.codePointAt(0) as number;
      if (c === 0 || c === 0x20) continue;
      charCount.set(c, (charCount.get(c) ?? 0) + f);
      allChars += f;
    }
  }
  const forced = new Set<number>();
  for (const ch of o.requiredChars) forced.add(ch.codePointAt(0) as number);
  for (const c of forced) if (!charCount.has(c)) charCount.set(c, 0);
  const ordered = [...charCount.entries()].sort((a, b) => {
    const fa = forced.has(a[0]) ? 1 : 0;
    const fb = forced.has(b[0]) ? 1 : 0;
    return fb - fa || b[1] - a[1] || a[0] - b[0];
  });
  // The reference compares a float32 coverage with a float32 option; so do we.
  const target = Math.fround(o.characterCoverage);
  const requiredChars = new Map<number, number>();
  let acc = 0;
  for (const [c, n] of ordered) {
    if (Math.fround(acc / allChars) >= target) break;
    acc += n;
    if (c === BOUNDARY_CHAR.charCodeAt(0)) continue;
    requiredChars.set(c, n);
  }
  if (requiredChars.has(UNK_CHAR.codePointAt(0) as number)) {
    throw new TokenizerError('TOKENIZER_TRAIN_RESERVED_CHAR', 'U+2585 must not be a required character: remove it from requiredChars.');
  }

  // Characters outside the alphabet become U+2585, which no piece may contain;
  // words that now read the same are merged.
  const merged = new Map<string, number>();
  for (const [w, f] of counts) {
    let out = '';
    let changed = false;
    for (const ch of w) {
      if (requiredChars.has(ch.codePointAt(0) as number)) out += ch;
      else {
        out += UNK_CHAR;
        changed = true;
      }
    }
    const key = changed ? out : w;
    merged.set(key, (merged.get(key) ?? 0) + f);
  }
  const sentences = [...merged.entries()]
    .map(([text, freq]) => ({ text, freq }))
    .sort((a, b) => b.freq - a.freq || compareCodePoints(a.text, b.text));
  return {
    sentences,
    requiredChars,
    linesRead,
    linesSkippedTooLong: tooLong,
    linesSkippedReserved: reserved,
    coverage: allChars > 0 ? acc / allChars : 1,
  };
}
