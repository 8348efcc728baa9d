import { PuyuError } from '@puyu/core/errors';
import type { AssistantErrorCode } from './errorCodes.js';

/** Anything the assistant refuses or cannot do: oversized uploads, archive bombs, a missing KB, a bad webhook. */
export class AssistantError extends PuyuError {
  constructor(code: AssistantErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
  }
}
