import { ConfigError } from '@puyu/core';
import type { TokenShard } from '@puyu/formats';
import { epochOrder } from './epochOrder.js';

/** One training batch: B rows of T tokens, with next-token targets and per-token loss weights. */
export interface PackedBatch {
  rows: number[][];
  /** [B·T] next-token targets. */
  targets: Int32Array;
  /** [B·T] loss weights: 0 where the next token belongs to another document. */
  weights: Float32Array;
  /** [B·T] a document id per token, so attention and positions stay inside documents. */
  docIds: Int32Array;
}

/** Where a batcher is, so a resumed run sees exactly the batches an uninterrupted one would. */
export interface BatcherState {
  epoch: number;
  /** Offset, in tokens, into this epoch's stream of concatenated documents. */
  cursor: number;
}

/**
 * Packs documents into fixed-length rows. Each epoch concatenates the documents in
 * a seeded random order and cuts the stream into rows of T+1 tokens (the extra one
 * is the last target); a row may hold the end of one document and the start of the
 * next, and the graph's mask keeps their attention apart. Predicting the first token
 * of a document from the last of another carries weight 0.
 */
export class PackedBatcher {
  private order: Int32Array = new Int32Array(0);
  /** prefix[i] = stream offset where order[i] starts. */
  private prefix: Float64Array = new Float64Array(1);
  private epoch = -1;
  private cursor = 0;

  constructor(
    private readonly shard: TokenShard,
    private readonly opts: { batchSize: number; seqLen: number; seed: number; docs?: readonly number[]; shuffle?: boolean },
  ) {
    const total = this.docList().reduce((a, d) => a + this.docLen(d), 0);
    if (total < opts.seqLen + 1) {
      throw new ConfigError(
        'TRAIN_DATA_TOO_SMALL',
        `the training data has ${total} tokens, fewer than one row of seq_len + 1 = ${opts.seqLen + 1}; add data or lower seq_len.`,
      );
    }
    this.startEpoch(0);
  }

  /** Number of tokens in one pass over the documents. */
  get tokensPerEpoch(): number {
    return this.prefix[this.prefix.length - 1];
  }

  get state(): BatcherState {
    return { epoch: this.epoch, cursor: this.cursor };
  }

  restore(s: BatcherState): void {
    this.startEpoch(s.epoch);
    this.cursor = s.cursor;
  }

  next(): PackedBatch {
    const { batchSize: B, seqLen: T } = this.opts;
    const rows: number[][] = [];
    const targets = new Int32Array(B * T);
    const weights = new Float32Array(B * T);
    const docIds = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      if (this.cursor + T + 1 > this.tokensPerEpoch) this.startEpoch(this.epoch + 1);
      const { tokens, docs } = this.read(this.cursor, T + 1);
      rows.push(Array.from(tokens.subarray(0, T)));
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        targets[i] = tokens[t + 1];
        docIds[i] = docs[t];
        weights[i] = docs[t + 1] === docs[t] ? 1 : 0;
      }
      this.cursor += T;
    }
    return { rows, targets, weights, docIds };
  }

  private docList(): readonly number[] {
    return this.opts.docs ?? Array.from({ length: this.shard.docStarts.length - 1 }, (_, i) => i);
  }

  private docLen(d: number): number {
    return this.shard.docStarts[d + 1] - this.shard.docStarts[d];
  }

  private startEpoch(e: number): void {
    const docs = epochOrder(this.docList(), this.opts.seed, e, this.opts.shuffle !== false);
    const prefix = new Float64Array(docs.length + 1);
    for (let i = 0; i < docs.length; i++) prefix[i + 1] = prefix[i] + this.docLen(docs[i]);
    this.order = docs;
    this.prefix = prefix;
    this.epoch = e;
    this.cursor = 0;
  }

  /** `n` tokens of the epoch stream from `start`, with the document each belongs to. */
  private read(start: number, n: number): { tokens: Int32Array; docs: Int32Array } {
    const tokens = new Int32Array(n);
    const docs = new Int32Array(n);
    // binary search for the document holding `start`
    let lo = 0;
    let hi = this.order.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.prefix[mid] <= start) lo = mid;
      else hi = mid - 1;
    }
    let k = lo;
    let pos = start;
    for (let i = 0; i < n; i++) {
      while (pos >= this.prefix[k + 1]) k++;
      const d = this.order[k];
      tokens[i] = this.shard.tokens[this.shard.docStarts[d] + (pos - this.prefix[k])];
      docs[i] = d;
      pos++;
    }
    return { tokens, docs };
  }
}
