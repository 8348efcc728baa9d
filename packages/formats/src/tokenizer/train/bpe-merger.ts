import { TokenizerError } from '@puyu/core';
import { BinaryHeap } from './binary-heap.js';
import { makePieceValidator } from './piece-validator.js';
import { compareCodePoints, type TrainingSentence } from './sentence-loader.js';
import type { ResolvedBpeOptions } from './trainer-options.js';
import { UNK_CHAR } from './training-normalizer.js';

/**
 * The merge loop of SentencePiece's BPE trainer (bpe_model_trainer.cc, as released
 * in 0.1.9x), kept step for step so a model trained here has the pieces, in the
 * order, that `spm_train --model_type=bpe` gives on the same text:
 *
 * - a symbol is a character or a pair of symbols; pairs remember where they occur
 *   (sentence, left index) and their frequency is recomputed lazily (freq 0 = stale);
 * - "AAA" counts the pair "AA" once (overlapping occurrences are dropped);
 * - each step takes the most frequent pair among the *active* pairs (the top 5 %,
 *   at least 1000, refreshed every 100 pieces, plus every pair created since),
 *   ties going to the shorter piece, then to the smaller string;
 * - a piece equal to an earlier one (reached through another split) is skipped;
 * - score = -rank, so encoding by score replays the merge order.
 */
export interface MergeResult {
  /** Learned pieces with their scores, in merge order. */
  pieces: { piece: string; score: number }[];
  /** True when no valid pair was left before reaching the target size. */
  exhausted: boolean;
}

class Sym {
  freq = 0;
  /** sid * 65536 + left index; kept sorted (lazily) as std::set keeps them. */
  positions: number[] = [];
  sorted = true;
  /** Generation of the active set this symbol is in (-1: not active). */
  activeGen = -1;
  /** Activation order: among equal candidates the reference scan keeps the first one. */
  seq = 0;
  /** Queued for a frequency (re)computation before the next pick. */
  dirty = false;
  constructor(
    readonly id: number,
    readonly left: Sym | null,
    readonly right: Sym | null,
    readonly cps: number[],
    readonly str: string,
    readonly isUnk: boolean,
  ) {}
}

const POS_SHIFT = 65536;
const PAIR_SHIFT = 2 ** 26;
const UNK_CP = UNK_CHAR.codePointAt(0) as number;

export function runBpeMerges(
  sentencesIn: TrainingSentence[],
  requiredChars: Map<number, number>,
  numPieces: number,
  o: ResolvedBpeOptions,
): MergeResult {
  const isValid = makePieceValidator(o);
  const sents: (Sym | null)[][] = [];
  const freqs = new Float64Array(sentencesIn.length);
  const chars = new Map<number, Sym>();
  const pairs = new Map<number, Sym>();
  const invalidPairs = new Set<number>();
  let nextId = 0;

  const charSym = (c: number): Sym => {
    let s = chars.get(c);
    if (!s) {
      s = new Sym(nextId++, null, null, [c], String.fromCodePoint(c), c === UNK_CP);
      s.freq = requiredChars.get(c) || 1;
      chars.set(c, s);
    }
    return s;
  };

  // GetPairSymbol: the cached pair, or a new one if the joined piece is valid.
  const pairSym = (l: Sym | null, r: Sym | null): Sym | null => {
    if (l === null || r === null || l.isUnk || r.isUnk) return null;
    const key = l.id * PAIR_SHIFT + r.id;
    const hit = pairs.get(key);
    if (hit) return hit;
    // Invalidity never changes, so remember it (the reference re-checks each time).
    if (invalidPairs.has(key)) return null;
    const cps = l.cps.concat(r.cps);
    if (!isValid(cps)) {
      invalidPairs.add(key);
      return null;
    }
    // Pair keys pack two ids into a double's 52-bit mantissa.
    if (nextId >= PAIR_SHIFT) {
      throw new TokenizerError(
        'TOKENIZER_TRAIN_TOO_MANY_SYMBOLS',
        'The corpus yields over 67 million distinct pairs; train on fewer lines (maxLines).',
      );
    }
    const s = new Sym(nextId++, l, r, cps, l.str + r.str, false);
    pairs.set(key, s);
    return s;
  };
  const forget = (s: Sym) => pairs.delete((s.left as Sym).id * PAIR_SHIFT + (s.right as Sym).id);

  const nextIndex = (sent: (Sym | null)[], i: number): number => {
    for (let j = i + 1; j < sent.length; j++) if (sent[j] !== null) return j;
    return -1;
  };
  const prevIndex = (sent: (Sym | null)[], i: number): number => {
    for (let j = i - 1; j >= 0; j--) if (sent[j] !== null) return j;
    return -1;
  };

  // The reference scans every active pair each step, recomputing the stale (freq 0)
  // ones. We get the same pick from a heap ordered like that scan (freq, then shorter,
  // then smaller string, then earlier activation), fed with exactly the pairs the scan
  // would recompute: new ones, reset ones, and freq-0 ones that gained occurrences.
  // Entries whose freq no longer matches, or whose symbol left the active set, are stale.
  let gen = 0;
  let seq = 0;
  let activeCount = 0;
  const dirty: Sym[] = [];
  const markDirty = (s: Sym) => {
    if (s.dirty) return;
    s.dirty = true;
    dirty.push(s);
  };
  const activate = (s: Sym) => {
    if (s.activeGen === gen) return;
    s.activeGen = gen;
    s.seq = seq++;
    activeCount++;
    markDirty(s);
  };
  const deactivate = (s: Sym) => {
    s.activeGen = -1;
    activeCount--;
  };
  type Entry = { freq: number; s: Sym };
  const heap = new BinaryHeap<Entry>((a, b) => {
    if (a.freq !== b.freq) return a.freq > b.freq;
    const x = a.s;
    const y = b.s;
    if (x.cps.length !== y.cps.length) return x.cps.length < y.cps.length;
    const c = x === y ? 0 : compareCodePoints(x.str, y.str);
    return c !== 0 ? c < 0 : x.seq < y.seq;
  });
  const addNewPair = (sid: number, left: number, right: number) => {
    if (left === -1 || right === -1) return;
    const sent = sents[sid] as (Sym | null)[];
    const s = pairSym(sent[left] as Sym | null, sent[right] as Sym | null);
    if (!s) return;
    activate(s);
    const key = sid * POS_SHIFT + left;
    const n = s.positions.length;
    if (n > 0 && (s.positions[n - 1] as number) > key) s.sorted = false;
    s.positions.push(key);
    // A stale (0) count is recomputed at the next pick; a current one is not (as in the reference).
    if (s.freq === 0) markDirty(s);
  };
  const resetFreq = (sid: number, left: number, right: number, best: Sym) => {
    if (left === -1 || right === -1) return;
    const sent = sents[sid] as (Sym | null)[];
    const s = pairSym(sent[left] as Sym | null, sent[right] as Sym | null);
    if (s && s !== best) {
      s.freq = 0;
      if (s.activeGen === gen) markDirty(s);
    }
  };
  const ensureSorted = (s: Sym) => {
    if (s.sorted) return;
    s.positions.sort((a, b) => a - b);
    s.sorted = true;
  };

  const computeFreq = (s: Sym) => {
    if (s.freq > 0) return;
    ensureSorted(s);
    const pos = s.positions;
    let w = 0;
    let prevSid = -1;
    let prevRight = -1;
    let freq = 0;
    for (let k = 0; k < pos.length; k++) {
      const key = pos[k] as number;
      const sid = Math.floor(key / POS_SHIFT);
      const left = key - sid * POS_SHIFT;
      const sent = sents[sid] as (Sym | null)[];
      let right = -1;
      let valid = sent[left] === s.left;
      if (valid) {
        right = nextIndex(sent, left);
        valid = right !== -1 && sent[right] === s.right;
      }
      // The second "AA" of "AAA" overlaps the first: drop it.
      if ((sid === prevSid && left === prevRight) || !valid) {
        prevSid = -1;
        prevRight = -1;
        continue;
      }
      freq += freqs[sid] as number;
      prevSid = sid;
      prevRight = right;
      pos[w++] = key;
    }
    pos.length = w;
    s.freq = freq;
  };

  // UpdateActiveSymbols: the most frequent 5 % of all symbols (at least 1000).
  const updateActive = () => {
    const all: Sym[] = [];
    for (const s of pairs.values()) {
      computeFreq(s);
      all.push(s);
    }
    const size = Math.min(Math.max(1000, Math.floor((chars.size + pairs.size) * 0.05)), all.length);
    gen++;
    activeCount = 0;
    heap.clear();
    if (size === all.length) {
      for (const s of all) activate(s);
      return;
    }
    const f = new Float64Array(all.length);
    for (let i = 0; i < all.length; i++) f[i] = (all[i] as Sym).freq;
    const threshold = kthSmallest(f, all.length - size);
    for (const s of all) if (s.freq > threshold) activate(s);
    for (const s of all) {
      if (activeCount >= size) break;
      if (s.freq === threshold) activate(s);
    }
  };

  // Recomputes what the reference's scan would, and offers it to the heap.
  const flushDirty = () => {
    for (const s of dirty) {
      s.dirty = false;
      if (s.activeGen !== gen) continue;
      if (s.freq === 0) computeFreq(s);
      heap.push({ freq: s.freq, s });
    }
    dirty.length = 0;
  };
  const pickBest = (): Sym | null => {
    flushDirty();
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) {
      if (e.s.activeGen === gen && e.freq === e.s.freq) return e.s;
    }
    return null;
  };

  for (let sid = 0; sid < sentencesIn.length; sid++) {
    const { text, freq } = sentencesIn[sid] as TrainingSentence;
    const sent: (Sym | null)[] = [];
    for (const ch of text) sent.push(charSym(ch.codePointAt(0) as number));
    if (sent.length >= POS_SHIFT) continue; // positions address 16 bits, as in the reference
    sents.push(sent);
    freqs[sents.length - 1] = freq;
  }
  for (let sid = 0; sid < sents.length; sid++) {
    const n = (sents[sid] as (Sym | null)[]).length;
    for (let i = 1; i < n; i++) addNewPair(sid, i - 1, i);
  }

  const pieces: { piece: string; score: number }[] = [];
  const seen = new Set<string>();
  let exhausted = false;
  while (pieces.length < numPieces) {
    if (pieces.length % 100 === 0) {
      updateActive();
      o.onProgress?.({ phase: 'merge', done: pieces.length, total: numPieces });
    }
    const best = pickBest();
    if (best === null) {
      exhausted = true;
      break;
    }
    if (seen.has(best.str)) {
      forget(best);
      deactivate(best);
      continue;
    }
    seen.add(best.str);
    pieces.push({ piece: best.str, score: Math.fround(-pieces.length) });

    ensureSorted(best);
    for (const key of best.positions) {
      const sid = Math.floor(key / POS_SHIFT);
      const left = key - sid * POS_SHIFT;
      const sent = sents[sid] as (Sym | null)[];
      // Null when the previous occurrence ("AA" in "AAA") already took this left symbol.
      if (sent[left] === null) continue;
      const right = nextIndex(sent, left);
      if (right === -1) continue;
      const next = nextIndex(sent, right);
      const prev = prevIndex(sent, left);
      resetFreq(sid, prev, left, best);
      resetFreq(sid, right, next, best);
      sent[left] = best;
      sent[right] = null;
      addNewPair(sid, prev, left);
      addNewPair(sid, left, next);
    }
    // Only now leave the cache: during the loop, "AAA" looks the pair up again and must find it.
    forget(best);
    deactivate(best);
    best.positions = [];
  }
  o.onProgress?.({ phase: 'merge', done: pieces.length, total: numPieces });

  // The alphabet follows the merges, most frequent character first.
  const alphabet = [...requiredChars.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  for (const [c] of alphabet) pieces.push({ piece: String.fromCodePoint(c), score: Math.fround(-pieces.length) });
  return { pieces, exhausted };
}

/** The k-th smallest value (0-based) of `a`, by quickselect; `a` is reordered. */
export function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}
