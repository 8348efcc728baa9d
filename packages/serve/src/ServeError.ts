import { PuyuError } from '@puyu/core';

/** OpenAI's `error.type` values, which clients switch on. */
export type OpenAIErrorType = 'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'server_error' | 'timeout_error';

/**
 * An error a request can end with. It carries the HTTP status and the OpenAI error `type`
 * so a route can answer `{error: {message, type, param, code}}` without a lookup table.
 */
export class ServeError extends PuyuError {
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly param: string | null;
  /** Seconds a client should wait before retrying (429s). */
  readonly retryAfter?: number;

  constructor(
    code: string,
    message: string,
    options: { status?: number; type?: OpenAIErrorType; param?: string | null; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.status = options.status ?? 400;
    this.type = options.type ?? (this.status >= 500 ? 'server_error' : 'invalid_request_error');
    this.param = options.param ?? null;
    this.retryAfter = options.retryAfter;
  }
}

/** The OpenAI error body for any thrown value; unknown errors become 500s without leaking internals. */
export function openAIErrorBody(e: unknown): {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string } };
} {
  if (e instanceof ServeError) {
    return { status: e.status, body: { error: { message: e.message, type: e.type, param: e.param, code: e.code } } };
  }
  if (e instanceof PuyuError) {
    return { status: 400, body: { error: { message: e.message, type: 'invalid_request_error', param: null, code: e.code } } };
  }
  return {
    status: 500,
    body: {
      error: {
        message: `internal error: ${(e as Error)?.message ?? String(e)}`,
        type: 'server_error',
        param: null,
        code: 'SERVE_INTERNAL',
      },
    },
  };
}
