/**
 * A FIFO of callers waiting for something to be handed to them (a request slot, a
 * sequence, a permit), each of which may give up through an AbortSignal. The server's
 * admission queue and the client's rate limiter both wait this way; keeping one copy
 * keeps the subtle parts in one place:
 * - an aborted waiter leaves the queue at once (it never receives a grant it cannot use),
 *   and its listener is removed when it is granted, so long-lived signals do not leak;
 * - a grant goes to the oldest waiter still waiting;
 * - `rejectAll` (shutdown) empties the queue with one error for everyone.
 * A waiter may carry `info` (the server's ticket: which prompt waits), which `oldest` shows so
 * the granter can choose what to hand over, and by which `remove` finds it.
 */
export interface WaiterQueueOptions {
  /** The error an aborted waiter is rejected with (default: the signal's reason). */
  abortError?(signal: AbortSignal): unknown;
}

interface Waiter<T, I> {
  info: I | undefined;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
  cleanup: () => void;
}

export class WaiterQueue<T = void, I = undefined> {
  private readonly waiters: Waiter<T, I>[] = [];

  constructor(private readonly opts: WaiterQueueOptions = {}) {}

  /** Callers waiting now. */
  get length(): number {
    return this.waiters.length;
  }

  /** The `info` of the waiter that the next grant goes to. */
  get oldest(): I | undefined {
    return this.waiters[0]?.info;
  }

  /** Waits for a grant; rejects with the abort error when `signal` aborts first. */
  wait(signal?: AbortSignal, info?: I): Promise<T> {
    const abortError = (sig: AbortSignal) => (this.opts.abortError ? this.opts.abortError(sig) : abortReason(sig));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(entry);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortError(signal as AbortSignal));
      };
      const entry: Waiter<T, I> = { info, resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) };
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

  /** Takes the waiter carrying `info` out of the queue, rejecting it with `error`; false if it was not waiting. */
  remove(info: I, error: unknown): boolean {
    const i = this.waiters.findIndex((w) => w.info === info);
    if (i < 0) return false;
    const [w] = this.waiters.splice(i, 1) as [Waiter<T, I>];
    w.cleanup();
    w.reject(error);
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
