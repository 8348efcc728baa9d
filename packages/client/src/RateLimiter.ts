import { abortReason, sleep, WaiterQueue } from '@puyu/core';

export interface RateLimitOptions {
  /** Requests in flight at once (default: unlimited). */
  concurrency?: number;
  /** Request starts per second (default: unlimited). */
  requestsPerSecond?: number;
}

/**
 * Limits how hard one endpoint is hit: at most `concurrency` requests in flight and at
 * most `requestsPerSecond` request starts per second. Starts are spaced evenly
 * (a leaky bucket with no burst) because hosted APIs count per-second windows and a
 * burst at the top of each second is what trips their 429s.
 */
export class RateLimiter {
  private readonly concurrency: number;
  private readonly intervalMs: number;
  private active = 0;
  private nextStart = 0;
  /** Callers waiting for a slot; a finishing request hands its slot straight to the oldest. */
  private readonly waiting = new WaiterQueue();

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

  /**
   * Takes a slot and a start time for work that is not one promise (a stream); the returned
   * function gives the slot back and must be called exactly once, however the work ends.
   */
  async hold(signal?: AbortSignal): Promise<() => void> {
    await this.acquire(signal);
    try {
      await this.pace(signal);
    } catch (e) {
      this.release();
      throw e;
    }
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.release();
      }
    };
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    // Granted a slot that a finishing request passed on: `active` already counts it.
    await this.waiting.wait(signal);
  }

  private release(): void {
    if (!this.waiting.grant()) this.active--;
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
