import { ConfigError, FormatError, PuyuError, TokenizerError } from '@puyu/core';

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

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

/**
 * The status and OpenAI error body for any thrown value. A `ServeError` says what the client did
 * wrong (4xx) or what the server cannot do now (429, 503), in words written for the client. Anything
 * else escaping a route is our fault (an engine failure, a bug): a 500 whose body names only the
 * request id, since native and internal messages can carry paths, prompts or other requests' data; the
 * details go to the server log under the same id (see `errorResponse`).
 */
export function openAIErrorBody(e: unknown, requestId?: string): { status: number; body: OpenAIErrorBody; internal: boolean } {
  const ref = requestId ? ` (request id ${requestId})` : '';
  if (e instanceof ServeError) {
    const message = e.status >= 500 ? `${e.message}${ref}` : e.message;
    return { status: e.status, body: { error: { message, type: e.type, param: e.param, code: e.code } }, internal: false };
  }
  return {
    status: 500,
    body: {
      error: {
        message: `internal server error${ref}; the details are in the server log. Retry, and report the request id if it keeps failing.`,
        type: 'server_error',
        param: null,
        code: 'SERVE_INTERNAL',
      },
    },
    internal: true,
  };
}

/**
 * Runs `f` on client input (converting, rendering, tokenizing a request): the input errors it throws
 * (format, config, tokenizer) become 400s that keep their code and message. Everything else stays a
 * server fault.
 */
export function asClientError<T>(param: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FormatError || e instanceof ConfigError || e instanceof TokenizerError)
      throw new ServeError(e.code, e.message, { param, cause: e });
    throw e;
  }
}
