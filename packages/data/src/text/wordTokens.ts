/**
 * The word tokenizer every n-gram operator shares (MinHash shingles, repetition heuristics,
 * decontamination): after NFKC and lowercasing, a run of letters, marks or digits is one word,
 * each CJK character (Han, kana, Hangul) is a token of its own, everything else separates.
 *
 * Tokens come out as 32-bit hashes in a reused Uint32Array, so a caller hashes n-grams from
 * integers and never allocates a string per token or per shingle.
 */

const SEP = 0;
const WORD = 1;
const CJK = 2;

/** Class of every BMP code point, computed once (65,536 regex tests, a few ms at load). */
const BMP_CLASS = buildBmpClasses();

function isCjk(cp: number): boolean {
  return (
    (cp >= 0x3040 && cp <= 0x30ff) || // hiragana, katakana
    (cp >= 0x3400 && cp <= 0x4dbf) || // CJK ext A
    (cp >= 0x4e00 && cp <= 0x9fff) || // CJK unified
    (cp >= 0xac00 && cp <= 0xd7af) || // Hangul syllables
    (cp >= 0xf900 && cp <= 0xfaff) || // CJK compatibility
    (cp >= 0x20000 && cp <= 0x3ffff) // ext B–H
  );
}

function buildBmpClasses(): Uint8Array {
  const t = new Uint8Array(0x10000);
  const word = /[\p{L}\p{M}\p{N}]/u;
  for (let cp = 0; cp < 0x10000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (isCjk(cp)) t[cp] = CJK;
    else if (cp < 128) t[cp] = (cp >= 48 && cp <= 57) || (cp >= 97 && cp <= 122) || (cp >= 65 && cp <= 90) ? WORD : SEP;
    else if (word.test(String.fromCharCode(cp))) t[cp] = WORD;
  }
  return t;
}

const astralWord = /[\p{L}\p{M}\p{N}]/u;
function classOf(cp: number): number {
  if (cp < 0x10000) return BMP_CLASS[cp] as number;
  if (isCjk(cp)) return CJK;
  return astralWord.test(String.fromCodePoint(cp)) ? WORD : SEP;
}

/** FNV-1a's prime step on one code point; finished by fmix32 so tokens differing in one letter spread. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** murmur3's finaliser: a bijection on 32 bits with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Text as the tokenizers see it: NFKC, then lowercase. */
export function normaliseForTokens(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * A reusable tokenizer. `hash(text)` returns the number of tokens and leaves their hashes in
 * `tokens[0..n)`; the buffer grows as needed and is reused for the next call.
 */
export class WordTokenizer {
  tokens = new Uint32Array(1024);
  /** Length of each token in UTF-16 code units (filled alongside `tokens`). */
  lengths = new Uint32Array(1024);
  private start = 0;

  /** Hashes the tokens of already-normalised text. */
  hashNormalised(s: string): number {
    let n = 0;
    let h = FNV_OFFSET;
    let inWord = false;
    const len = s.length;
    for (let i = 0; i < len; i++) {
      let cp = s.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < len) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          i++;
        }
      }
      const c = classOf(cp);
      if (c === WORD) {
        if (!inWord) this.start = cp > 0xffff ? i - 1 : i;
        h = Math.imul(h ^ cp, FNV_PRIME);
        inWord = true;
        continue;
      }
      if (inWord) {
        n = this.push(n, fmix32(h), (cp > 0xffff ? i - 1 : i) - this.start);
        h = FNV_OFFSET;
        inWord = false;
      }
      if (c === CJK) n = this.push(n, fmix32(Math.imul(FNV_OFFSET ^ cp, FNV_PRIME)), cp > 0xffff ? 2 : 1);
    }
    if (inWord) n = this.push(n, fmix32(h), len - this.start);
    return n;
  }

  /** NFKC + lowercase, then hashNormalised. */
  hash(text: string): number {
    return this.hashNormalised(normaliseForTokens(text));
  }

  private push(n: number, v: number, length: number): number {
    if (n === this.tokens.length) {
      const next = new Uint32Array(this.tokens.length * 2);
      next.set(this.tokens);
      this.tokens = next;
      const lens = new Uint32Array(this.tokens.length);
      lens.set(this.lengths);
      this.lengths = lens;
    }
    this.tokens[n] = v;
    this.lengths[n] = length;
    return n + 1;
  }
}

/** The tokens as strings (tests, reports, the Python peers): the same rule as WordTokenizer. */
export function wordTokenStrings(text: string): string[] {
  const s = normaliseForTokens(text);
  const out: string[] = [];
  let cur = '';
  for (const ch of s) {
    const c = classOf(ch.codePointAt(0) as number);
    if (c === WORD) {
      cur += ch;
      continue;
    }
    if (cur) out.push(cur);
    cur = '';
    if (c === CJK) out.push(ch);
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Hashes the n-grams of `tokens[0..count)` into `out` (reused, grown as needed); returns the
 * number of n-grams. A text with fewer than n tokens (but at least one) is one shingle of all
 * its tokens, so short near-identical texts still compare; an empty text has none.
 */
export function hashNgrams(tokens: Uint32Array, count: number, n: number, out: { buf: Uint32Array }): number {
  const m = count >= n ? count - n + 1 : count > 0 ? 1 : 0;
  if (out.buf.length < m) out.buf = new Uint32Array(Math.max(m, out.buf.length * 2));
  const buf = out.buf;
  const width = Math.min(count, n);
  for (let i = 0; i < m; i++) {
    // murmur3_32's block step over `width` token hashes, then its finaliser.
    let h = 0x9747b28c ^ width;
    for (let k = 0; k < width; k++) {
      let x = Math.imul(tokens[i + k] as number, 0xcc9e2d51);
      x = (x << 15) | (x >>> 17);
      h ^= Math.imul(x, 0x1b873593);
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
    buf[i] = fmix32(h);
  }
  return m;
}
