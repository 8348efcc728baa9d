import { DataError } from '../errors.js';
import { fmix32, hashNgrams, WordTokenizer } from '../text/wordTokens.js';
import { type LshParams, optimalLshParams } from './lshParams.js';

export interface MinHashOptions {
  /** Words per shingle (default 5). */
  ngram?: number;
  /** Hash functions per signature (default 128). */
  permutations?: number;
  /** Jaccard threshold the LSH bands are tuned for (default 0.7). */
  threshold?: number;
  /** Override the optimal bands/rows (bands × rows ≤ permutations). */
  bands?: number;
  rows?: number;
  /** Seed of the permutation family (default 1). */
  seed?: number;
}

export interface ResolvedMinHash extends Required<Omit<MinHashOptions, 'bands' | 'rows'>>, LshParams {}

export function resolveMinHashOptions(o: MinHashOptions = {}): ResolvedMinHash {
  const ngram = o.ngram ?? 5;
  const permutations = o.permutations ?? 128;
  const threshold = o.threshold ?? 0.7;
  const seed = o.seed ?? 1;
  if (!Number.isInteger(ngram) || ngram < 1 || ngram > 64)
    throw new DataError('DATA_BAD_OPTION', `ngram must be an integer in 1..64, got ${ngram}.`);
  if (!Number.isInteger(permutations) || permutations < 2 || permutations > 4096)
    throw new DataError('DATA_BAD_OPTION', `permutations must be an integer in 2..4096, got ${permutations}.`);
  const p =
    o.bands !== undefined || o.rows !== undefined ? { bands: o.bands ?? 0, rows: o.rows ?? 0 } : optimalLshParams(threshold, permutations);
  if (!(p.bands >= 1 && p.rows >= 1 && p.bands * p.rows <= permutations))
    throw new DataError(
      'DATA_BAD_OPTION',
      `bands × rows must be ≤ permutations (${permutations}) with both ≥ 1, got ${p.bands} × ${p.rows}; give both or neither.`,
    );
  return { ngram, permutations, threshold, seed, ...p };
}

/** splitmix32: the permutation seeds, reproducible from one integer. */
function seeds(count: number, seed: number): Uint32Array {
  const out = new Uint32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    out[i] = (z ^ (z >>> 15)) >>> 0;
  }
  return out;
}

/**
 * MinHash signatures of texts: word 5-gram shingles hashed to 32 bits (hashNgrams), then for
 * each of the k hash functions h_i(x) = fmix32(x ⊕ seed_i) the minimum over the shingles.
 * fmix32 is a bijection with full avalanche, so each h_i is a random-looking permutation of
 * the 32-bit shingle space — what MinHash needs — at two multiplies per value, where
 * datasketch's (a·x + b) mod (2^61 − 1) needs 64-bit products JavaScript lacks. Everything
 * runs in reused typed arrays: no allocation per token, shingle or hash.
 */
export class MinHasher {
  readonly opts: ResolvedMinHash;
  private readonly seeds: Uint32Array;
  private readonly tokenizer = new WordTokenizer();
  private readonly shingles = { buf: new Uint32Array(1024) };

  constructor(opts: MinHashOptions = {}) {
    this.opts = resolveMinHashOptions(opts);
    this.seeds = seeds(this.opts.permutations, this.opts.seed);
  }

  /** Writes the signature of `text` into `out` (length = permutations); returns the shingle count (0: empty text, all 0xffffffff). */
  signatureInto(text: string, out: Uint32Array): number {
    const nTok = this.tokenizer.hash(text);
    const m = hashNgrams(this.tokenizer.tokens, nTok, this.opts.ngram, this.shingles);
    const sh = this.shingles.buf;
    const sd = this.seeds;
    const k = this.opts.permutations;
    for (let i = 0; i < k; i++) {
      const s = sd[i] as number;
      let min = 0xffffffff;
      for (let j = 0; j < m; j++) {
        let h = (sh[j] as number) ^ s;
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h ^= h >>> 16;
        h >>>= 0;
        if (h < min) min = h;
      }
      out[i] = min;
    }
    return m;
  }

  signature(text: string): Uint32Array {
    const out = new Uint32Array(this.opts.permutations);
    this.signatureInto(text, out);
    return out;
  }
}

/** The fraction of equal positions: MinHash's estimate of the Jaccard similarity. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

/** One band's key: two independent 32-bit hashes of its rows folded into a 53-bit integer (a safe Map key). */
export function bandKey(sig: Uint32Array, band: number, rows: number): number {
  let h1 = 0x243f6a88 ^ band;
  let h2 = 0x85a308d3 ^ band;
  const start = band * rows;
  for (let i = start; i < start + rows; i++) {
    const v = sig[i] as number;
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = (Math.imul(h2 ^ fmix32(v), 0x5bd1e995) + 0x6b43a9b5) | 0;
  }
  return fmix32(h1) * 0x200000 + (fmix32(h2) & 0x1fffff);
}
