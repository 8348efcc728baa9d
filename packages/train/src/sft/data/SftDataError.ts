import { PuyuError } from '@puyu/core';
import type { TrainErrorCode } from '../../errorCodes.js';

/** Codes a single bad SFT line is reported under (the line is skipped, never thrown). */
export type SftLineCode = Extract<
  TrainErrorCode,
  'TRAIN_SFT_BAD_JSON' | 'TRAIN_SFT_BAD_SHAPE' | 'TRAIN_SFT_NO_ASSISTANT' | 'TRAIN_SFT_BAD_TOOL' | 'TRAIN_SFT_TOO_LONG'
>;

/**
 * An SFT data problem. Per-line problems are thrown inside the readers and caught into the
 * skipped-lines report; the whole-run ones (no chat tokens, bad options, no examples) reach the caller.
 */
export class SftDataError extends PuyuError {
  constructor(
    override readonly code: Extract<TrainErrorCode, `TRAIN_SFT_${string}`>,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(code, message, options);
  }
}

/** One line left out of training, and why — the report that keeps nothing from being dropped silently. */
export interface SftSkippedLine {
  /** 1-based line number in the .jsonl file. */
  line: number;
  code: SftLineCode;
  reason: string;
}
