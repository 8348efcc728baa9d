import { epochOrder } from '../../data/epochOrder.js';
import type { BatcherState } from '../../data/PackedBatcher.js';
import { DpoDataError } from './DpoDataError.js';
import type { DpoExample } from './tokenizeDpoPair.js';

/**
 * A batch of P preference pairs as 2P rows: row 2p is pair p's prompt + chosen reply, row
 * 2p + 1 its prompt + rejected reply, each right-padded to T tokens.
 */
export interface DpoBatch {
  pairs: number;
  rows: number[][];
  /** [2P·T] next-token targets. */
  targets: Int32Array;
  /** [2P·T] 1 where the target is a reply token (its log-prob counts), else 0. */
  weights: Float32Array;
  /** Index of each pair in the batcher's examples. */
  index: Int32Array;
  /** [2P] the frozen reference model's reply log-probs (r_c, r_r) per pair; zeros when none were given. */
  ref: Float64Array;
}

export interface DpoBatcherOptions {
  /** Pairs per batch. */
  pairs: number;
  /** Longest row, in tokens (seq_len): each example holds at most seqLen + 1 tokens. */
  seqLen: number;
  seed: number;
  /** Shuffle the pair order each epoch (seeded by seed and epoch). Default true. */
  shuffle?: boolean;
  padId?: number;
  /**
   * Rows are cut to the batch's longest sequence rounded up to this many tokens (≤ seqLen),
   * so short pairs cost less; a few row lengths keep the graph cache small. Default 32.
   */
  lengthStep?: number;
  /** The reference reply log-probs, two per example (chosen, rejected), copied into each batch. */
  refs?: Float64Array;
}

/**
 * Batches of preference pairs in a seeded order per epoch; state `{epoch, cursor}` with cursor =
 * pairs of this epoch already served, so restoring it replays exactly the batches an
 * uninterrupted run would see. A batch never mixes two epochs' orders: it wraps at the epoch end.
 */
export class DpoBatcher {
  private order: Int32Array = new Int32Array(0);
  private epoch = -1;
  private cursor = 0;

  constructor(
    private readonly examples: readonly DpoExample[],
    private readonly opts: DpoBatcherOptions,
  ) {
    const { pairs, seqLen, seed } = opts;
    if (!Number.isInteger(pairs) || pairs < 1 || !Number.isInteger(seqLen) || seqLen < 1 || !Number.isInteger(seed))
      throw new DpoDataError(
        'TRAIN_DPO_BAD_OPTIONS',
        `DpoBatcher needs positive integer pairs and seqLen and an integer seed, got ${JSON.stringify({ pairs, seqLen, seed })}.`,
      );
    if (examples.length === 0)
      throw new DpoDataError('TRAIN_DPO_NO_PAIRS', 'DpoBatcher was given no tokenized pairs; check the skipped-lines report.');
    const bad = examples.find((e) => [e.chosen, e.rejected].some((s) => s.ids.length > seqLen + 1 || s.ids.length !== s.mask.length));
    if (bad)
      throw new DpoDataError(
        'TRAIN_DPO_BAD_OPTIONS',
        `The pair from line ${bad.line} is longer than a row of seqLen + 1 = ${seqLen + 1} tokens.`,
      );
    this.startEpoch(0);
  }

  get state(): BatcherState {
    return { epoch: this.epoch, cursor: this.cursor };
  }

  restore(s: BatcherState): void {
    if (!Number.isInteger(s.epoch) || s.epoch < 0 || !Number.isInteger(s.cursor) || s.cursor < 0 || s.cursor > this.examples.length)
      throw new DpoDataError(
        'TRAIN_DPO_BAD_OPTIONS',
        `Cannot restore DpoBatcher state ${JSON.stringify(s)}: the cursor must lie in 0..${this.examples.length} pairs of this data.`,
      );
    this.startEpoch(s.epoch);
    this.cursor = s.cursor;
  }

  next(): DpoBatch {
    const picked: number[] = [];
    for (let p = 0; p < this.opts.pairs; p++) {
      if (this.cursor >= this.order.length) this.startEpoch(this.epoch + 1);
      picked.push(this.order[this.cursor++]);
    }
    return dpoBatch(this.examples, picked, this.opts);
  }

  private startEpoch(e: number): void {
    this.order = epochOrder(Array.from(this.examples.keys()), this.opts.seed, e, this.opts.shuffle !== false);
    this.epoch = e;
    this.cursor = 0;
  }
}

/** The batch of the given examples (by index), rows as long as the longest rounded up to lengthStep. */
export function dpoBatch(
  examples: readonly DpoExample[],
  indices: readonly number[],
  opts: Omit<DpoBatcherOptions, 'pairs' | 'seed'>,
): DpoBatch {
  const step = opts.lengthStep ?? 32;
  const seqs = indices.flatMap((i) => [examples[i].chosen, examples[i].rejected]);
  const longest = Math.max(...seqs.map((s) => s.ids.length - 1));
  const T = Math.min(opts.seqLen, Math.ceil(longest / step) * step);
  const pad = opts.padId ?? 0;
  const rows: number[][] = [];
  const targets = new Int32Array(seqs.length * T);
  const weights = new Float32Array(seqs.length * T);
  seqs.forEach((s, b) => {
    const row = new Array<number>(T).fill(pad);
    for (let t = 0; t < T; t++) {
      if (t < s.ids.length) row[t] = s.ids[t];
      if (t + 1 < s.ids.length) {
        targets[b * T + t] = s.ids[t + 1];
        weights[b * T + t] = s.mask[t + 1];
      } else targets[b * T + t] = pad;
    }
    rows.push(row);
  });
  const ref = new Float64Array(2 * indices.length);
  const refs = opts.refs;
  if (refs) for (const [p, e] of indices.entries()) ref.set(refs.subarray(2 * e, 2 * e + 2), 2 * p);
  return { pairs: indices.length, rows, targets, weights, index: Int32Array.from(indices), ref };
}
