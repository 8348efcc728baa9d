import { PuyuError } from '@puyu/core';
import type { TrainErrorCode } from '../../errorCodes.js';

/** Codes a single bad preference line is reported under (the line is skipped, never thrown). */
export type DpoLineCode = Extract<
  TrainErrorCode,
  'TRAIN_DPO_BAD_JSON' | 'TRAIN_DPO_BAD_SHAPE' | 'TRAIN_DPO_BAD_TOOL' | 'TRAIN_DPO_SAME_REPLY' | 'TRAIN_DPO_TOO_LONG'
>;

/** A DPO data problem: per-line ones are caught into the skipped report, whole-run ones reach the caller. */
export class DpoDataError extends PuyuError {
  constructor(
    override readonly code: Extract<TrainErrorCode, `TRAIN_DPO_${string}`>,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(code, message, options);
  }
}

/** One preference line left out of training, and why. */
export interface DpoSkippedLine {
  /** 1-based line number in the .jsonl file. */
  line: number;
  code: DpoLineCode;
  reason: string;
}
