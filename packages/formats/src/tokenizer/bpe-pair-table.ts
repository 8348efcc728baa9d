import type { SentencePieceVocab } from './sentencepiece-vocab.js';

/**
 * Integer merge table for SentencePiece BPE: (left symbol, right symbol) → merged piece id.
 *
 * SentencePiece looks up the *string* left+right in its vocabulary for every
 * candidate pair. Every symbol that can ever exist is either a mergeable piece
 * (all merge results are) or one input character, so give each an integer id —
 * the piece id, or `vocab.size + k` for a character that is not a piece itself
 * but occurs inside one — and precompute every way each piece splits into two
 * such symbols. A lookup is then a hash probe on two ints instead of slicing and
 * hashing a fresh string, with exactly the same answers.
 */
export class BpePairTable {
  /** Symbol id of each BMP code point, -1 when the character can never take part in a merge. */
  private readonly charBmp = new Int32Array(0x10000).fill(-1);
  private readonly charAstral = new Map<number, number>();
  private readonly keysA: Int32Array;
  private readonly keysB: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;

  constructor(vocab: SentencePieceVocab) {
    const multi: Array<[string, number]> = [];
    for (const [piece, id] of vocab.mergeable) {
      const first = piece.codePointAt(0) as number;
      if (piece.length === (first >= 0x10000 ? 2 : 1)) this.setChar(first, id);
      else multi.push([piece, id]);
    }
    let extra = vocab.size;
    for (const [piece] of multi) {
      for (const ch of piece) {
        const cp = ch.codePointAt(0) as number;
        if (this.charSymbol(cp) < 0) this.setChar(cp, extra++);
      }
    }
    const symbolOf = (s: string): number => {
      const id = vocab.mergeable.get(s);
      if (id !== undefined) return id;
      const cp = s.codePointAt(0) as number;
      return s.length === (cp >= 0x10000 ? 2 : 1) ? this.charSymbol(cp) : -1;
    };
    let triples = new Int32Array(1 << 16);
    let n = 0;
    for (const [piece, id] of multi) {
      for (let k = 1; k < piece.length; k++) {
        const c = piece.charCodeAt(k);
        if (c >= 0xdc00 && c < 0xe000) continue; // never split a surrogate pair
        const a = symbolOf(piece.slice(0, k));
        if (a < 0) continue;
        const b = symbolOf(piece.slice(k));
        if (b < 0) continue;
        if (n + 3 > triples.length) {
          const g = new Int32Array(triples.length * 2);
          g.set(triples);
          triples = g;
        }
        triples[n++] = a;
        triples[n++] = b;
        triples[n++] = id;
      }
    }
    let cap = 1024;
    while (cap < (n / 3) * 2) cap *= 2;
    this.mask = cap - 1;
    this.keysA = new Int32Array(cap).fill(-1);
    this.keysB = new Int32Array(cap);
    this.values = new Int32Array(cap);
    for (let i = 0; i < n; i += 3) this.set(triples[i], triples[i + 1], triples[i + 2]);
  }

  private setChar(cp: number, id: number): void {
    if (cp < 0x10000) this.charBmp[cp] = id;
    else this.charAstral.set(cp, id);
  }

  /** Symbol id of one character, -1 if it is in no mergeable piece. */
  charSymbol(cp: number): number {
    return cp < 0x10000 ? this.charBmp[cp] : (this.charAstral.get(cp) ?? -1);
  }

  private slot(a: number, b: number): number {
    let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    h ^= h >>> 15;
    return h & this.mask;
  }

  private set(a: number, b: number, id: number): void {
    let i = this.slot(a, b);
    while (this.keysA[i] !== -1 && (this.keysA[i] !== a || this.keysB[i] !== b)) i = (i + 1) & this.mask;
    this.keysA[i] = a;
    this.keysB[i] = b;
    this.values[i] = id;
  }

  /** Id of the piece spelled by symbol `a` followed by symbol `b`, or -1. */
  get(a: number, b: number): number {
    let i = this.slot(a, b);
    for (;;) {
      const ka = this.keysA[i];
      if (ka === -1) return -1;
      if (ka === a && this.keysB[i] === b) return this.values[i];
      i = (i + 1) & this.mask;
    }
  }
}
