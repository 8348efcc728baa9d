import type { Metrics } from '../Metrics.js';
import { ServeError } from '../ServeError.js';

/**
 * Why a generation stopped before its end, and which counter it belongs to. A request's signal fires
 * for four reasons that must not be confused in the metrics: the client went away (cancelled), the
 * per-request timeout passed (timed out), or another choice of the same `n > 1` request failed
 * (neither: the failure itself is what gets reported). Shutdown stops generations without a signal
 * (Scheduler.drain) and is not counted either.
 */

/** Abort reason for the other choices of a request when one of them failed (see `allOrAbort`). */
export class SiblingFailed extends Error {
  override readonly name = 'SiblingFailed';
  constructor(readonly failure: unknown) {
    super('another choice of the same request failed');
  }
}

export function shuttingDownError(): ServeError {
  return new ServeError('SERVE_SHUTTING_DOWN', 'the server is shutting down; retry on another instance or once it is back.', {
    status: 503,
    type: 'server_error',
    retryAfter: 1,
  });
}

/** The error for an aborted `signal`, counted in `metrics` when it is a client cancellation or a timeout. */
export function abortError(signal: AbortSignal, metrics: Metrics): ServeError {
  const reason: unknown = signal.reason;
  if (reason instanceof SiblingFailed) {
    return new ServeError('SERVE_SIBLING_FAILED', 'stopped because another choice of this request failed.', { status: 500 });
  }
  if ((reason as { name?: string } | undefined)?.name === 'TimeoutError') {
    metrics.timedOut++;
    return new ServeError('SERVE_TIMEOUT', 'the request ran past the server timeout; ask for fewer tokens or raise --timeout.', {
      status: 408,
      type: 'timeout_error',
    });
  }
  metrics.cancelled++;
  return new ServeError('SERVE_CANCELLED', 'the client closed the request.', { status: 499 });
}

export function throwIfAborted(signal: AbortSignal, metrics: Metrics): void {
  if (signal.aborted) throw abortError(signal, metrics);
}

/** Runs `fns` concurrently; the first failure aborts the others (as `SiblingFailed`) and is rethrown. */
export async function allOrAbort<T>(fns: ((signal: AbortSignal) => Promise<T>)[], parent: AbortSignal): Promise<T[]> {
  if (fns.length === 1) return [await fns[0](parent)];
  const ctrl = new AbortController();
  const signal = AbortSignal.any([parent, ctrl.signal]);
  return Promise.all(
    fns.map((f) =>
      f(signal).catch((e: unknown) => {
        if (!ctrl.signal.aborted) ctrl.abort(new SiblingFailed(e));
        throw e;
      }),
    ),
  );
}
