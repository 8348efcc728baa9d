import { PuyuError } from '@puyu/core';
import type { StudioErrorCode } from './errorCodes.js';

/** HTTP status each Studio code answers with. */
const STATUS: Record<StudioErrorCode, 400 | 401 | 403 | 404 | 500 | 502> = {
  STUDIO_NOT_BUILT: 500,
  STUDIO_RUNS_MISSING: 500,
  STUDIO_RUN_NOT_FOUND: 404,
  STUDIO_PATH_OUTSIDE_RUNS: 403,
  STUDIO_BAD_REQUEST: 400,
  STUDIO_ENDPOINT_FAILED: 502,
  STUDIO_UNAUTHORIZED: 401,
  STUDIO_FILE_UNREADABLE: 500,
  STUDIO_EVAL_ABORTED: 500,
};

export class StudioError extends PuyuError {
  declare readonly code: StudioErrorCode;
  constructor(code: StudioErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
  get status(): 400 | 401 | 403 | 404 | 500 | 502 {
    return STATUS[this.code];
  }
}
