/**
 * A FIFO of callers waiting for something to be handed to them (a request slot, a
 * sequence, a permit), each of which may give up through an AbortSignal. The server's
 * admission queue and the client's rate limiter both wait this way; keeping one copy
 * keeps the subtle parts in one place:
 * - an aborted waiter leaves the queue at once (it never receives a grant it cannot use),
 *   and its listener is removed when it is granted, so long-lived signals do not leak;
 * - a grant goes to the oldest waiter still waiting;
 * - `rejectAll` (shutdown) empties the queue with one error for everyone.
 */
export class WaiterQueue<T = void> {
  private readonly waiters: { resolve: (v: T) => void; reject: (e: unknown) => void; cleanup: () => void }[] = [];

  /** Callers waiting now. */
  get length(): number {
    return this.waiters.length;
  }

  /** Waits for a grant; rejects with the signal's reason when it aborts first. */
  wait(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(entry);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortReason(signal as AbortSignal));
      };
      const entry = { resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(entry);
    });
  }

  /** Hands `value` to the oldest waiter; false when nobody waits (the caller keeps it). */
  grant(value: T): boolean {
    const w = this.waiters.shift();
    if (!w) return false;
    w.cleanup();
    w.resolve(value);
    return true;
  }

  /** Rejects every waiter with `error` (e.g. shutting down) and empties the queue. */
  rejectAll(error: unknown): void {
    for (const w of this.waiters.splice(0)) {
      w.cleanup();
      w.reject(error);
    }
  }
}

/** The error an aborted signal stands for: its reason when that is an Error, else an AbortError. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted.', 'AbortError');
}

/** setTimeout as a promise that rejects (and clears the timer) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(abortReason(signal as AbortSignal));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
