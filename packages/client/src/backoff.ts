/**
 * Retry delays: exponential backoff with "equal jitter" (half fixed, half random), so
 * many workers that failed together do not come back together, yet none retries
 * immediately. A server's Retry-After wins when it asks for longer.
 */
export interface BackoffOptions {
  /** First delay, ms (default 500). */
  baseMs?: number;
  /** Longest delay, ms (default 30 000). */
  maxMs?: number;
}

/** Delay before retry number `attempt` (0 = the first retry). `random` is injectable for tests. */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = opts.baseMs ?? 500;
  const max = opts.maxMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * How long to wait before retry number `attempt`: our jittered backoff, or the server's
 * Retry-After when it asks for longer. A Retry-After beyond `maxRetryAfterMs` (default 60 s)
 * is not waited out (a run would stall for minutes on one sample); the backoff applies then,
 * as OpenAI's own client does.
 */
export function retryDelay(
  attempt: number,
  retryAfter: number | undefined,
  opts: BackoffOptions & { maxRetryAfterMs?: number } = {},
  random: () => number = Math.random,
): number {
  const ours = backoffDelay(attempt, opts, random);
  if (retryAfter === undefined || retryAfter > (opts.maxRetryAfterMs ?? 60_000)) return ours;
  return Math.max(ours, retryAfter);
}

/** Parses a Retry-After header (seconds or an HTTP date) into ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** HTTP statuses worth retrying: rate limits, timeouts and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
