import { PuyuError } from '@puyu/core';
import type { DataErrorCode } from './errorCodes.js';

/** Every failure @puyu/data throws: a stable DATA_* code and a sentence that says what to do. */
export class DataError extends PuyuError {
  constructor(code: DataErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
  }
}
