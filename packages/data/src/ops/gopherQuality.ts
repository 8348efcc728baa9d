import type { Doc } from '../io/jsonlDocs.js';
import { wordTokenStrings } from '../text/wordTokens.js';
import type { Operator } from './Operator.js';

/** Gopher's quality rules (Rae et al. 2021, as datatrove's GopherQualityFilter), with CJK-aware word counts. */
export interface GopherQualityOptions {
  minWords?: number;
  maxWords?: number;
  minMeanWordLength?: number;
  maxMeanWordLength?: number;
  /** '#' and '...'/'…' per word. */
  maxSymbolWordRatio?: number;
  maxBulletLinesRatio?: number;
  maxEllipsisLinesRatio?: number;
  /** Words with at least one letter, as a fraction of whitespace words. */
  minAlphaWordsRatio?: number;
  /** Digits as a fraction of non-space characters. */
  maxDigitRatio?: number;
  /** Stop words present (from `stopWords`, counted across the supported languages). */
  minStopWords?: number;
  stopWords?: string[];
}

const DEFAULT_STOP_WORDS = ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with', '的', '了', '是', '在', '和', '有', '不', '这'];
const BULLETS = /^\s*[•●○◦▪▫‣⁃∙\-*·–—]\s/;

export function gopherQualityOperator(o: GopherQualityOptions = {}): Operator {
  const c = {
    minWords: 50,
    maxWords: 100_000,
    minMeanWordLength: 3,
    maxMeanWordLength: 10,
    maxSymbolWordRatio: 0.1,
    maxBulletLinesRatio: 0.9,
    maxEllipsisLinesRatio: 0.3,
    minAlphaWordsRatio: 0.8,
    maxDigitRatio: 0.3,
    minStopWords: 2,
    ...o,
  };
  const stop = new Set(o.stopWords ?? DEFAULT_STOP_WORDS);
  return {
    name: 'gopher_quality',
    apply(doc: Doc) {
      const text = doc.text;
      const tokens = wordTokenStrings(text);
      // A CJK character is a token; Gopher's bounds are for space-separated words, so CJK
      // tokens count as words for the length bounds but not for the mean word length.
      const n = tokens.length;
      if (n < c.minWords) return 'gopher_too_few_words';
      if (n > c.maxWords) return 'gopher_too_many_words';
      let latinChars = 0;
      let latinWords = 0;
      let stops = 0;
      for (const t of tokens) {
        if (stop.has(t)) stops++;
        const cp = t.codePointAt(0) as number;
        if (t.length > 1 || cp < 0x3040) {
          latinChars += t.length;
          latinWords++;
        }
      }
      if (latinWords > n / 2) {
        const mean = latinChars / latinWords;
        if (mean < c.minMeanWordLength) return 'gopher_short_words';
        if (mean > c.maxMeanWordLength) return 'gopher_long_words';
      }
      const hashes = count(text, '#');
      const ellipses = count(text, '...') + count(text, '…');
      if ((hashes + ellipses) / n > c.maxSymbolWordRatio) return 'gopher_symbol_ratio';
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 0) {
        const bullets = lines.filter((l) => BULLETS.test(l)).length;
        if (bullets / lines.length > c.maxBulletLinesRatio) return 'gopher_bullet_lines';
        const ell = lines.filter((l) => /(\.\.\.|…)\s*$/.test(l)).length;
        if (ell / lines.length > c.maxEllipsisLinesRatio) return 'gopher_ellipsis_lines';
      }
      // Over word tokens, not whitespace words: a Chinese sentence is one whitespace "word".
      let alpha = 0;
      for (const t of tokens) if (/\p{L}/u.test(t)) alpha++;
      if (alpha / n < c.minAlphaWordsRatio) return 'gopher_non_alpha_words';
      let digits = 0;
      let nonSpace = 0;
      for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        if (ch >= 48 && ch <= 57) digits++;
        if (ch > 32) nonSpace++;
      }
      if (nonSpace > 0 && digits / nonSpace > c.maxDigitRatio) return 'gopher_digit_ratio';
      if (stops < c.minStopWords) return 'gopher_stop_words';
      return null;
    },
  };
}

function count(s: string, sub: string): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}
