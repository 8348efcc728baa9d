import { eventually, makeToolModel, metric, postJson, readEvents } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from './http/wire.js';
import { type RunningServer, type ServeOptions, startServer } from './startServer.js';

// Admission is decided before a stream's first byte, and shutdown drains in order (queue → 503,
// running → grace period → stopped at the next step → engine disposed).
let gguf = '';
const open: RunningServer[] = [];
async function serve(opts: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const s = await startServer({ model: gguf, port: 0, sequences: 1, contextSize: 512, threads: 1, ...opts });
  open.push(s);
  return s;
}
beforeAll(async () => {
  ({ gguf } = await makeToolModel());
});
afterAll(async () => {
  for (const s of open) await s.close();
});

const long = (max: number, stream = false) => ({ prompt: 'hello', max_tokens: max, temperature: 0.8, seed: 1, ignore_eos: true, stream });
interface Chunk {
  choices?: { finish_reason: string | null }[];
  error?: { code: string; message: string };
}
/** All events of a stream, split into data chunks, error events and whether it ended with [DONE]. */
async function drain(res: Response): Promise<{ chunks: Chunk[]; errors: Chunk['error'][]; done: boolean }> {
  const { events } = await readEvents(res, Number.POSITIVE_INFINITY);
  const chunks = events.filter((e): e is Chunk => e !== '[DONE]');
  return { chunks, errors: chunks.filter((c) => c.error).map((c) => c.error), done: events.at(-1) === '[DONE]' };
}

describe('admission before the first byte', () => {
  it('a streaming request that finds the queue full gets 429 with Retry-After, not 200 and an error event', async () => {
    const s = await serve({ maxQueue: 1 });
    const a = new AbortController();
    const first = await postJson(`${s.url}/v1/completions`, long(400, true), { signal: a.signal });
    await readEvents(first, 1); // holds the only sequence
    const queued = postJson(`${s.url}/v1/completions`, long(4, true));
    expect(await eventually(async () => s.scheduler.queueDepth === 1)).toBe(true);
    const rejected = await postJson(`${s.url}/v1/chat/completions`, {
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4,
      stream: true,
    });
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('retry-after')).toBe('1');
    expect(rejected.headers.get('content-type')).toContain('application/json');
    expect(((await rejected.json()) as ErrorBody).error).toMatchObject({ type: 'rate_limit_error', code: 'SERVE_OVERLOADED' });
    a.abort();
    // The queued stream sent nothing until it had its sequence, then ran normally.
    const q = await queued;
    expect(q.status).toBe(200);
    const out = await drain(q);
    expect(out.errors).toEqual([]);
    expect(out.chunks.at(-1)?.choices?.[0]?.finish_reason).toBe('length');
    expect(metric(await (await fetch(`${s.url}/metrics`)).text(), 'puyu_requests_rejected_total')).toBe(1);
  });

  it('n beyond sequences + queue is a 400 (it could never run), not a 429', async () => {
    const s = await serve({ maxQueue: 2 });
    const r = await postJson(`${s.url}/v1/completions`, { ...long(2), n: 4 });
    expect(r.status).toBe(400);
    expect(((await r.json()) as ErrorBody).error).toMatchObject({ code: 'SERVE_TOO_MANY_CHOICES', param: 'n' });
  });
});

describe('graceful shutdown', () => {
  it('queued requests get 503 at once; a stream longer than the grace period is stopped with an error event; no crash', async () => {
    // contextSize 2048: the stream (2000 tokens, seconds) outlasts the 300 ms grace period.
    const s = await startServer({ model: gguf, port: 0, sequences: 1, contextSize: 2048, threads: 1, maxQueue: 2 });
    const running = await postJson(`${s.url}/v1/completions`, long(2000, true));
    await readEvents(running, 1).then(({ reader }) => reader.releaseLock());
    const queuedStream = postJson(`${s.url}/v1/completions`, long(4, true));
    const queuedPlain = postJson(`${s.url}/v1/completions`, long(4));
    expect(await eventually(async () => s.scheduler.queueDepth === 2)).toBe(true);
    const t0 = performance.now();
    const closing = s.close({ gracePeriodMs: 300 });
    for (const q of [await queuedStream, await queuedPlain]) {
      expect(q.status).toBe(503);
      expect(q.headers.get('retry-after')).toBe('1');
      expect(((await q.json()) as ErrorBody).error.code).toBe('SERVE_SHUTTING_DOWN');
    }
    const out = await drain(running);
    expect(out.errors.map((e) => e?.code)).toEqual(['SERVE_SHUTTING_DOWN']);
    expect(out.done).toBe(true);
    expect(out.chunks.length).toBeGreaterThan(1);
    await closing;
    const seconds = (performance.now() - t0) / 1000;
    console.log(`shutdown with a running stream and 2 queued requests: ${seconds.toFixed(2)} s (grace 0.3 s)`);
    expect(seconds).toBeLessThan(0.3 + 2);
    expect(s.metrics.cancelled).toBe(0); // shutdown is not a client cancellation
    await expect(fetch(`${s.url}/health`)).rejects.toThrow(); // no longer listening
  });

  it('a stream that ends within the grace period completes normally, and close() does not wait out the grace period', async () => {
    const s = await startServer({ model: gguf, port: 0, sequences: 1, contextSize: 512, threads: 1 });
    const running = await postJson(`${s.url}/v1/completions`, long(64, true));
    const { events, reader } = await readEvents(running, 1);
    reader.releaseLock();
    const t0 = performance.now();
    const closing = s.close({ gracePeriodMs: 20_000 });
    const health = await fetch(`${s.url}/health`).catch(() => undefined);
    if (health) expect(health.status).toBe(503); // draining, if the request got in before the listener closed
    const out = await drain(running);
    expect(events.length + out.chunks.length).toBeGreaterThan(1);
    expect(out.errors).toEqual([]);
    expect(out.chunks.at(-1)?.choices?.[0]?.finish_reason).toBe('length');
    await closing;
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
