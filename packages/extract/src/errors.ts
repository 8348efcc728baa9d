import { PuyuError } from '@puyu/core/errors';
import type { ExtractErrorCode } from './errorCodes.js';

/** A document cannot be extracted: encrypted, corrupt, empty, or not a supported format. */
export class ExtractError extends PuyuError {
  constructor(code: ExtractErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
  }
}
