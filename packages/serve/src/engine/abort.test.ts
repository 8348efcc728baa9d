import { describe, expect, it } from 'vitest';
import { Metrics } from '../Metrics.js';
import { abortError, allOrAbort, throwIfAborted } from './abort.js';

describe('abort reasons', () => {
  it('a choice aborted because a sibling failed is not counted as a client cancellation', async () => {
    const metrics = new Metrics();
    const boom = new Error('engine failed');
    let siblingError: unknown;
    const run = allOrAbort(
      [
        async () => {
          throw boom;
        },
        (signal) =>
          new Promise<never>((_, reject) =>
            signal.addEventListener('abort', () => {
              try {
                throwIfAborted(signal, metrics);
              } catch (e) {
                siblingError = e;
                reject(e);
              }
            }),
          ),
      ],
      new AbortController().signal,
    );
    await expect(run).rejects.toBe(boom); // the real failure is what the request reports
    await new Promise((r) => setImmediate(r));
    expect(siblingError).toMatchObject({ code: 'SERVE_SIBLING_FAILED' });
    expect(metrics.cancelled).toBe(0);
    expect(metrics.timedOut).toBe(0);
  });

  it('client aborts and timeouts map to 499 and 408, each counted', () => {
    const metrics = new Metrics();
    const client = new AbortController();
    client.abort();
    expect(abortError(client.signal, metrics)).toMatchObject({ status: 499, code: 'SERVE_CANCELLED' });
    const timeout = new AbortController();
    timeout.abort(new DOMException('timed out', 'TimeoutError'));
    expect(abortError(timeout.signal, metrics)).toMatchObject({ status: 408, code: 'SERVE_TIMEOUT' });
    expect([metrics.cancelled, metrics.timedOut]).toEqual([1, 1]);
  });
});
