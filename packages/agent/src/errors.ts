import { PuyuError } from '@puyu/core';
import type { AgentErrorCode } from './errorCodes.js';

/** Every error @puyu/agent throws: a stable AGENT_* code and a message that says what to do. */
export class AgentError extends PuyuError {
  declare readonly code: AgentErrorCode;
  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
  }
}
