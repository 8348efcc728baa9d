/**
 * Limits how hard one endpoint is hit: at most `concurrency` requests in flight and at
 * most `requestsPerSecond` request starts per second. Starts are spaced evenly
 * (a leaky bucket with no burst) because hosted APIs count per-second windows and a
 * burst at the top of each second is what trips their 429s.
 */
export interface RateLimitOptions {
  /** Requests in flight at once (default: unlimited). */
  concurrency?: number;
  /** Request starts per second (default: unlimited). */
  requestsPerSecond?: number;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
}

export class RateLimiter {
  private readonly concurrency: number;
  private readonly intervalMs: number;
  private active = 0;
  private nextStart = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(opts: RateLimitOptions = {}) {
    this.concurrency = opts.concurrency && opts.concurrency > 0 ? opts.concurrency : Number.POSITIVE_INFINITY;
    this.intervalMs = opts.requestsPerSecond && opts.requestsPerSecond > 0 ? 1000 / opts.requestsPerSecond : 0;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Runs `fn` once a slot and a start time are free. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      await this.pace(signal);
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }

  /** Reserves the next start slot and sleeps until it comes. */
  private async pace(signal?: AbortSignal): Promise<void> {
    if (this.intervalMs === 0) return;
    const now = Date.now();
    const at = Math.max(now, this.nextStart);
    this.nextStart = at + this.intervalMs;
    if (at > now) await sleep(at - now, signal);
  }
}

/** setTimeout as a promise that rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
