import { epochOrder } from '../../data/epochOrder.js';
import type { BatcherState, PackedBatch } from '../../data/PackedBatcher.js';
import { SftDataError } from './SftDataError.js';
import type { SftExample } from './tokenizeSftDialogue.js';

export interface SftBatcherOptions {
  batchSize: number;
  seqLen: number;
  seed: number;
  /** Shuffle the dialogue order each epoch (seeded by seed and epoch). Default true. */
  shuffle?: boolean;
  /** Token id written into unused row tail; it carries weight 0 and its own doc id. Default 0. */
  padId?: number;
}

/** Doc id of padding: no dialogue has it, so padding never attends to or from a dialogue. */
export const SFT_PAD_DOC_ID = -1;

/**
 * Packs whole tokenized dialogues into rows of seqLen + 1 tokens (the extra one is the last
 * target), greedily in a seeded order per epoch: dialogues are taken in order while the next
 * one fits, then the row is closed and padded. A dialogue never spans two rows, so its loss
 * mask is applied in full, and no row mixes two epochs.
 *
 * Targets are next tokens; a target's weight is the mask of the *target* token (so the model
 * learns to produce assistant tokens, including each turn's `<|im_end|>`), and 0 where the
 * next token belongs to another dialogue or to padding. docIds are indices into `examples`.
 *
 * State is `{epoch, cursor}` with cursor = dialogues of this epoch already packed; restoring
 * it replays exactly the batches an uninterrupted run would see.
 */
export class SftBatcher {
  private order: Int32Array = new Int32Array(0);
  private epoch = -1;
  private cursor = 0;

  constructor(
    private readonly examples: readonly SftExample[],
    private readonly opts: SftBatcherOptions,
  ) {
    const { batchSize, seqLen, seed } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1 || !Number.isInteger(seqLen) || seqLen < 1 || !Number.isInteger(seed)) {
      throw new SftDataError(
        'TRAIN_SFT_BAD_OPTIONS',
        `SftBatcher needs positive integer batchSize and seqLen and an integer seed, got ${JSON.stringify({ batchSize, seqLen, seed })}.`,
      );
    }
    if (examples.length === 0) {
      throw new SftDataError('TRAIN_SFT_NO_EXAMPLES', 'SftBatcher was given no tokenized dialogues; check the skipped-lines report.');
    }
    const tooLong = examples.findIndex((e) => e.ids.length > seqLen + 1 || e.ids.length !== e.mask.length);
    if (tooLong >= 0) {
      const e = examples[tooLong];
      throw new SftDataError(
        'TRAIN_SFT_BAD_OPTIONS',
        `The dialogue from line ${e.line} has ${e.ids.length} tokens (mask ${e.mask.length}), more than a row of seqLen + 1 = ${seqLen + 1}; tokenize with maxTokens: seqLen + 1.`,
      );
    }
    this.startEpoch(0);
  }

  get state(): BatcherState {
    return { epoch: this.epoch, cursor: this.cursor };
  }

  restore(s: BatcherState): void {
    if (!Number.isInteger(s.epoch) || s.epoch < 0 || !Number.isInteger(s.cursor) || s.cursor < 0 || s.cursor > this.examples.length) {
      throw new SftDataError(
        'TRAIN_SFT_BAD_OPTIONS',
        `Cannot restore SftBatcher state ${JSON.stringify(s)}: the cursor must lie in 0..${this.examples.length} dialogues of this data.`,
      );
    }
    this.startEpoch(s.epoch);
    this.cursor = s.cursor;
  }

  next(): PackedBatch {
    const { batchSize: B, seqLen: T } = this.opts;
    const pad = this.opts.padId ?? 0;
    const rows: number[][] = [];
    const targets = new Int32Array(B * T);
    const weights = new Float32Array(B * T);
    const docIds = new Int32Array(B * T);
    const tokens = new Int32Array(T + 1);
    const docs = new Int32Array(T + 1);
    const mask = new Uint8Array(T + 1);
    for (let b = 0; b < B; b++) {
      if (this.cursor >= this.order.length) this.startEpoch(this.epoch + 1);
      tokens.fill(pad);
      docs.fill(SFT_PAD_DOC_ID);
      mask.fill(0);
      let used = 0;
      while (this.cursor < this.order.length) {
        const d = this.order[this.cursor];
        const e = this.examples[d];
        if (used + e.ids.length > T + 1) break;
        tokens.set(e.ids, used);
        mask.set(e.mask, used);
        docs.fill(d, used, used + e.ids.length);
        used += e.ids.length;
        this.cursor++;
      }
      rows.push(Array.from(tokens.subarray(0, T)));
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        targets[i] = tokens[t + 1];
        docIds[i] = docs[t];
        weights[i] = docs[t] !== SFT_PAD_DOC_ID && docs[t + 1] === docs[t] ? mask[t + 1] : 0;
      }
    }
    return { rows, targets, weights, docIds };
  }

  private startEpoch(e: number): void {
    this.order = epochOrder(Array.from(this.examples.keys()), this.opts.seed, e, this.opts.shuffle !== false);
    this.epoch = e;
    this.cursor = 0;
  }
}
