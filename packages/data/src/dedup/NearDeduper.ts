import { bandKey, estimateJaccard, MinHasher, type MinHashOptions } from './minhash.js';

export interface NearDedupOptions extends MinHashOptions {
  /**
   * Confirm an LSH candidate by its estimated Jaccard (equal signature positions ≥ threshold)
   * before calling it a duplicate (default true). LSH alone also flags some pairs well below
   * the threshold that happen to share a band; the check removes most of them for one
   * comparison of 128 integers per candidate.
   */
  verify?: boolean;
}

export interface NearDedupVerdict {
  /** Index (order of `check` calls among kept docs' ids) of the kept document this one duplicates, or -1. */
  duplicateOf: number;
  /** Estimated Jaccard to that document (NaN when kept). */
  similarity: number;
  /** Shingles in this text (0: empty, never a near-duplicate). */
  shingles: number;
}

/**
 * Streaming MinHash-LSH near-dedup that keeps the first document of each cluster: each text is
 * compared with the documents kept so far (through their LSH buckets) and only kept ones are
 * indexed. So every removed document has a kept near-duplicate that came before it, and a chain
 * A≈B≈C where A and C differ keeps C (a union-find over all pairs would remove it).
 */
export class NearDeduper {
  readonly hasher: MinHasher;
  private readonly buckets: Map<number, number>[];
  /** Per band, the next kept document with the same key (-1: none): buckets are linked lists. */
  private readonly next: number[][];
  private readonly kept: Uint32Array[] = [];
  private readonly verify: boolean;
  private readonly sig: Uint32Array;
  readonly keys: Float64Array;

  constructor(opts: NearDedupOptions = {}) {
    this.hasher = new MinHasher(opts);
    this.verify = opts.verify ?? true;
    this.buckets = Array.from({ length: this.hasher.opts.bands }, () => new Map<number, number>());
    this.next = Array.from({ length: this.hasher.opts.bands }, () => []);
    this.sig = new Uint32Array(this.hasher.opts.permutations);
    this.keys = new Float64Array(this.hasher.opts.bands);
  }

  get keptCount(): number {
    return this.kept.length;
  }

  check(text: string): NearDedupVerdict {
    const shingles = this.hasher.signatureInto(text, this.sig);
    return this.checkSignature(this.sig, shingles);
  }

  /** The same for a precomputed signature (the cross-shard merge). */
  checkSignature(sig: Uint32Array, shingles: number): NearDedupVerdict {
    if (shingles === 0) return { duplicateOf: -1, similarity: Number.NaN, shingles };
    const { bands, rows, threshold } = this.hasher.opts;
    for (let b = 0; b < bands; b++) {
      const key = bandKey(sig, b, rows);
      this.keys[b] = key;
      const next = this.next[b] as number[];
      let walked = 0;
      // A bucket of many kept documents that all failed verification is a hash pile-up (boilerplate
      // bands); bounding the walk keeps the cost linear.
      for (let hit = this.buckets[b]?.get(key) ?? -1; hit >= 0 && walked < 32; hit = next[hit] as number, walked++) {
        const sim = estimateJaccard(sig, this.kept[hit] as Uint32Array);
        if (!this.verify || sim >= threshold) return { duplicateOf: hit, similarity: sim, shingles };
      }
    }
    const id = this.kept.length;
    this.kept.push(sig.slice());
    for (let b = 0; b < bands; b++) {
      const m = this.buckets[b] as Map<number, number>;
      const key = this.keys[b] as number;
      // Push at the head: the newest kept document is compared first (near-duplicates cluster in time).
      (this.next[b] as number[])[id] = m.get(key) ?? -1;
      m.set(key, id);
    }
    return { duplicateOf: -1, similarity: Number.NaN, shingles };
  }
}
