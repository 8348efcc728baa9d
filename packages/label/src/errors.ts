import { PuyuError } from '@puyu/core';
import type { LabelErrorCode } from './errorCodes.js';

const STATUS: Partial<Record<LabelErrorCode, number>> = {
  LABEL_UNAUTHENTICATED: 401,
  LABEL_BAD_LOGIN: 401,
  LABEL_LOGIN_RATE_LIMITED: 429,
  LABEL_CSRF: 403,
  LABEL_FORBIDDEN: 403,
  LABEL_NOT_FOUND: 404,
  LABEL_DUPLICATE: 409,
  LABEL_VERSION_CONFLICT: 409,
  LABEL_TASK_EXPIRED: 409,
  LABEL_TOO_LARGE: 413,
  LABEL_BAD_DATABASE: 500,
};

/** Every error @puyu/label throws; `status` is the HTTP status the API answers it with. */
export class LabelError extends PuyuError {
  declare readonly code: LabelErrorCode;
  readonly status: number;
  constructor(code: LabelErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
    this.status = STATUS[code] ?? 400;
  }
}
