import { BpePairTable } from './bpe-pair-table.js';
import { PieceType } from './sentencepiece-proto.js';
import type { SentencePieceVocab } from './sentencepiece-vocab.js';

/** Longest chunk (in UTF-16 units) whose ids are cached; longer ones are rare repeats. */
const CACHE_MAX_CHUNK = 96;
const CACHE_MAX_ENTRIES = 1 << 18;
/** Dense chars get ids in vocabulary order (frequent first); the first 4096 use a 2 MB bit matrix. */
const BIT_DIM = 4096;

/**
 * SentencePiece's BPE `Model::Encode` (bpe_model.cc), made fast without
 * changing its result.
 *
 * SentencePiece merges, over the whole normalized string, the adjacent pair
 * with the highest piece score (ties: leftmost) until no adjacent pair forms a
 * piece. A merge can only ever join chars `a` and `b` at a boundary if some
 * piece contains `ab` adjacently; at every other boundary the two sides evolve
 * independently and the global priority order restricted to one side is that
 * side's own order. So we cut the text at boundaries whose bigram appears in no
 * mergeable piece (and around user-defined symbols, which never merge), run BPE
 * on each chunk, and cache chunk → ids: provably the same ids as one global run.
 *
 * The one exception is UNUSED pieces: SentencePiece re-splits them using merge
 * history recorded over the whole call, so models that have any run unchunked.
 */
export class SentencePieceBpe {
  private readonly vocab: SentencePieceVocab;
  private readonly byteFallback: boolean;
  /** Dense index of every code point that occurs inside a multi-char piece, else -1. */
  private readonly denseBmp = new Int32Array(0x10000).fill(-1);
  private readonly denseAstral = new Map<number, number>();
  private readonly denseCount: number;
  /** Bigrams among the first BIT_DIM dense chars as a bit matrix (the hot path); the rest in a Set. */
  private readonly bigramBits = new Uint32Array((BIT_DIM * BIT_DIM) >>> 5);
  private readonly bigrams = new Set<number>();
  /** 1 where some user-defined symbol starts with this UTF-16 unit (skips a Map lookup per char). */
  private readonly userFirst = new Uint8Array(0x10000);
  /** User-defined symbols by first UTF-16 unit, longest first (SentencePiece matches the longest). */
  private readonly userByFirst = new Map<number, string[]>();
  private readonly cache = new Map<string, number[]>();
  private readonly chunked: boolean;
  private readonly pairs: BpePairTable;
  /** Symbol ids below this are pieces whose id can be emitted as is. */
  private readonly directIdLimit: number;

  // Reused work buffers (grown on demand): symbols and the pair heap.
  private symStart = new Int32Array(1024);
  private symEnd = new Int32Array(1024);
  private symId = new Int32Array(1024);
  private symFrozen = new Uint8Array(1024);
  private prev = new Int32Array(1024);
  private next = new Int32Array(1024);
  private hScore = new Float64Array(3072);
  private hLeft = new Int32Array(3072);
  private hRight = new Int32Array(3072);
  private hSize = new Int32Array(3072);
  private hId = new Int32Array(3072);
  private heap = new Int32Array(3072);

  constructor(vocab: SentencePieceVocab, byteFallback: boolean) {
    this.vocab = vocab;
    this.byteFallback = byteFallback;
    this.chunked = !vocab.hasUnused;
    this.pairs = new BpePairTable(vocab);
    // If a reserved piece shadows a mergeable one, every id must go through PieceToId.
    this.directIdLimit = vocab.reservedShadowsMergeable ? 0 : vocab.size;
    let dense = 0;
    const denseOf = (cp: number): number => {
      if (cp < 0x10000) {
        if (this.denseBmp[cp] < 0) this.denseBmp[cp] = dense++;
        return this.denseBmp[cp];
      }
      let d = this.denseAstral.get(cp);
      if (d === undefined) {
        d = dense++;
        this.denseAstral.set(cp, d);
      }
      return d;
    };
    // Collect (a, b) dense pairs first: the key a * count + b needs the final count.
    let pairs = new Int32Array(1 << 16);
    let nPairs = 0;
    for (const piece of vocab.mergeable.keys()) {
      let prevD = -1;
      for (let i = 0; i < piece.length; i++) {
        let cp = piece.charCodeAt(i);
        if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < piece.length) {
          const lo = piece.charCodeAt(i + 1);
          if (lo >= 0xdc00 && lo < 0xe000) {
            cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
            i++;
          }
        }
        const d = denseOf(cp);
        if (prevD >= 0) {
          if (nPairs + 2 > pairs.length) {
            const g = new Int32Array(pairs.length * 2);
            g.set(pairs);
            pairs = g;
          }
          pairs[nPairs++] = prevD;
          pairs[nPairs++] = d;
        }
        prevD = d;
      }
    }
    this.denseCount = dense;
    for (let i = 0; i < nPairs; i += 2) {
      const a = pairs[i];
      const b = pairs[i + 1];
      if (a < BIT_DIM && b < BIT_DIM) {
        const k = a * BIT_DIM + b;
        this.bigramBits[k >>> 5] |= 1 << (k & 31);
      } else this.bigrams.add(a * dense + b);
    }
    for (const u of vocab.userDefined) {
      const first = u.charCodeAt(0);
      this.userFirst[first] = 1;
      const list = this.userByFirst.get(first) ?? [];
      list.push(u);
      list.sort((x, y) => y.length - x.length);
      this.userByFirst.set(first, list);
    }
  }

  private grow(n: number): void {
    if (n <= this.symStart.length) return;
    const cap = Math.max(n, this.symStart.length * 2);
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.symStart = g32(this.symStart);
    this.symEnd = g32(this.symEnd);
    this.symId = g32(this.symId);
    this.prev = g32(this.prev);
    this.next = g32(this.next);
    const f = new Uint8Array(cap);
    f.set(this.symFrozen);
    this.symFrozen = f;
  }

  /** At most (symbols − 1) initial pairs plus 2 per merge are ever queued in one run. */
  private growHeap(hcap: number): void {
    if (hcap <= this.heap.length) return;
    hcap = Math.max(hcap, this.heap.length * 2);
    this.hScore = new Float64Array(hcap);
    this.hLeft = new Int32Array(hcap);
    this.hRight = new Int32Array(hcap);
    this.hSize = new Int32Array(hcap);
    this.hId = new Int32Array(hcap);
    this.heap = new Int32Array(hcap);
  }

  /** Encodes a normalized string (spaces already escaped), appending ids to `out`. */
  encode(text: string, out: number[]): void {
    const len = text.length;
    if (len === 0) return;
    // Chunked mode restarts symbol indices at 0 after every flush, so work
    // buffers only grow to the longest chunk, not to the whole input.
    if (!this.chunked) this.grow(len + 1);
    const D = this.denseCount;
    let n = 0;
    let prevD = -1;
    let i = 0;
    while (i < len) {
      if (n + 1 >= this.symStart.length) this.grow(n + 2);
      const c = text.charCodeAt(i);
      const users = this.userFirst[c] === 1 ? this.userByFirst.get(c) : undefined;
      if (users !== undefined) {
        const m = users.find((u) => text.startsWith(u, i));
        if (m !== undefined) {
          if (this.chunked) {
            this.flush(text, 0, n, out);
            out.push(this.vocab.pieceToId(m));
            n = 0;
          } else {
            this.symStart[n] = i;
            this.symEnd[n] = i + m.length;
            this.symFrozen[n] = 1;
            this.symId[n] = -1;
            n++;
          }
          i += m.length;
          prevD = -1;
          continue;
        }
      }
      let cp = c;
      let w = 1;
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < len) {
        const lo = text.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) {
          cp = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          w = 2;
        }
      }
      const d = cp < 0x10000 ? this.denseBmp[cp] : (this.denseAstral.get(cp) ?? -1);
      if (this.chunked && n > 0 && (d < 0 || prevD < 0 || !this.hasBigram(prevD, d, D))) {
        this.flush(text, 0, n, out);
        n = 0;
      }
      this.symStart[n] = i;
      this.symEnd[n] = i + w;
      this.symFrozen[n] = 0;
      this.symId[n] = this.pairs.charSymbol(cp);
      n++;
      prevD = d;
      i += w;
    }
    this.flush(text, 0, n, out);
  }

  private hasBigram(a: number, b: number, D: number): boolean {
    if (a < BIT_DIM && b < BIT_DIM) {
      const k = a * BIT_DIM + b;
      return (this.bigramBits[k >>> 5] & (1 << (k & 31))) !== 0;
    }
    return this.bigrams.has(a * D + b);
  }

  /** Encodes symbols [a, b) as one independent BPE run. */
  private flush(text: string, a: number, b: number, out: number[]): void {
    if (b <= a) return;
    if (b - a === 1 && this.symFrozen[a] === 0) {
      this.emitSymbol(text, a, out);
      return;
    }
    if (!this.chunked) {
      this.bpe(text, a, b, out);
      return;
    }
    const s0 = this.symStart[a];
    const s1 = this.symEnd[b - 1];
    if (s1 - s0 > CACHE_MAX_CHUNK) {
      this.bpe(text, a, b, out);
      return;
    }
    const key = text.slice(s0, s1);
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      for (let j = 0; j < hit.length; j++) out.push(hit[j]);
      return;
    }
    const from = out.length;
    this.bpe(text, a, b, out);
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(key, out.slice(from));
  }

  // Heap state of the current `bpe` call (fields, not closures: no per-call allocation).
  private entries = 0;
  private heapLen = 0;
  private text = '';
  private revMerge: Map<string, [string, string]> | undefined;

  /** Entry x has lower priority than y: lower score, or equal score and further right. */
  private less(x: number, y: number): boolean {
    const sx = this.hScore[x];
    const sy = this.hScore[y];
    return sx < sy || (sx === sy && this.hLeft[x] > this.hLeft[y]);
  }

  /** Queues the pair (l, r) if their concatenation is a piece (SentencePiece's MaybeAddNewSymbolPair). */
  private push(l: number, r: number): void {
    if (l < 0 || r < 0) return;
    const { symStart, symEnd, symId, heap } = this;
    // Frozen (user-defined) symbols and characters in no piece have symbol id -1.
    const sa = symId[l];
    const sb = symId[r];
    if (sa < 0 || sb < 0) return;
    const id = this.pairs.get(sa, sb);
    if (id < 0) return;
    const e = this.entries++;
    this.hScore[e] = this.vocab.scores[id];
    this.hLeft[e] = l;
    this.hRight[e] = r;
    this.hSize[e] = symEnd[r] - symStart[l];
    this.hId[e] = id;
    let pos = this.heapLen++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!this.less(heap[parent], e)) break;
      heap[pos] = heap[parent];
      pos = parent;
    }
    heap[pos] = e;
    if (this.revMerge !== undefined && this.vocab.types[id] === PieceType.UNUSED) {
      const piece = this.text.slice(symStart[l], symEnd[r]);
      this.revMerge.set(piece, [this.text.slice(symStart[l], symEnd[l]), this.text.slice(symStart[r], symEnd[r])]);
    }
  }

  private pop(): number {
    const heap = this.heap;
    const top = heap[0];
    const len = --this.heapLen;
    const last = heap[len];
    let pos = 0;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= len) break;
      if (child + 1 < len && this.less(heap[child], heap[child + 1])) child++;
      if (!this.less(last, heap[child])) break;
      heap[pos] = heap[child];
      pos = child;
    }
    heap[pos] = last;
    return top;
  }

  /** SentencePiece's priority-queue BPE over symbols [a, b), then resegmentation. */
  private bpe(text: string, a: number, b: number, out: number[]): void {
    this.growHeap(3 * (b - a) + 3);
    const { symStart, symEnd, symId, symFrozen, prev, next, hLeft, hRight, hSize, hId } = this;
    this.text = text;
    this.revMerge = this.vocab.hasUnused ? new Map() : undefined;
    for (let k = a; k < b; k++) {
      prev[k] = k - 1;
      next[k] = k + 1 < b ? k + 1 : -1;
    }
    prev[a] = -1;
    this.entries = 0;
    this.heapLen = 0;
    for (let k = a + 1; k < b; k++) this.push(k - 1, k);

    while (this.heapLen > 0) {
      const e = this.pop();
      const l = hLeft[e];
      const r = hRight[e];
      const ll = symEnd[l] - symStart[l];
      const rl = symEnd[r] - symStart[r];
      // Stale entry: one side was consumed or grew since this pair was queued.
      if (ll === 0 || rl === 0 || ll + rl !== hSize[e]) continue;
      symEnd[l] = symEnd[r];
      symId[l] = hId[e];
      next[l] = next[r];
      if (next[r] >= 0) prev[next[r]] = l;
      symEnd[r] = symStart[r]; // empty
      this.push(prev[l], l);
      this.push(l, next[l]);
    }

    const revMerge = this.revMerge;
    for (let k = a; k !== -1; k = next[k]) {
      if (symFrozen[k] === 1) out.push(this.vocab.pieceToId(text.slice(symStart[k], symEnd[k])));
      else if (revMerge !== undefined) this.resegment(text.slice(symStart[k], symEnd[k]), revMerge, out);
      else this.emitSymbol(text, k, out);
    }
    this.text = '';
  }

  private resegment(piece: string, revMerge: Map<string, [string, string]>, out: number[]): void {
    const id = this.vocab.pieceToId(piece);
    const split = this.vocab.types[id] === PieceType.UNUSED ? revMerge.get(piece) : undefined;
    if (split === undefined) {
      this.emitPiece(piece, id, out);
      return;
    }
    this.resegment(split[0], revMerge, out);
    this.resegment(split[1], revMerge, out);
  }

  /** Emits final symbol k: its piece id directly when known, else by string lookup. */
  private emitSymbol(text: string, k: number, out: number[]): void {
    const id = this.symId[k];
    if (id >= 0 && id < this.directIdLimit) out.push(id);
    else this.emitPiece(text.slice(this.symStart[k], this.symEnd[k]), -1, out);
  }

  /** Emits a final piece; an unknown one becomes its UTF-8 bytes when byte fallback is on. */
  private emitPiece(piece: string, knownId: number, out: number[]): void {
    const id = knownId >= 0 ? knownId : this.vocab.pieceToId(piece);
    if (id !== this.vocab.unkId || !this.byteFallback) {
      out.push(id);
      return;
    }
    const { byteIds, unkId } = this.vocab;
    for (const ch of piece) {
      const cp = ch.codePointAt(0) as number;
      const pushByte = (x: number) => out.push(byteIds[x] >= 0 ? byteIds[x] : unkId);
      if (cp < 0x80) pushByte(cp);
      else if (cp < 0x800) {
        pushByte(0xc0 | (cp >> 6));
        pushByte(0x80 | (cp & 0x3f));
      } else if (cp < 0x10000) {
        pushByte(0xe0 | (cp >> 12));
        pushByte(0x80 | ((cp >> 6) & 0x3f));
        pushByte(0x80 | (cp & 0x3f));
      } else {
        pushByte(0xf0 | (cp >> 18));
        pushByte(0x80 | ((cp >> 12) & 0x3f));
        pushByte(0x80 | ((cp >> 6) & 0x3f));
        pushByte(0x80 | (cp & 0x3f));
      }
    }
  }

  /** Drops cached chunk encodings (memory only; results never change). */
  clearCache(): void {
    this.cache.clear();
  }
}
