import { EngineError } from '@puyu/core';
import { eventually, GREETING, makeToolModel, postJson, readEvents, SYSTEM } from '@puyu/testing';
import type { Token } from 'node-llama-cpp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ServeLogEntry } from './http/common.js';
import type { ErrorBody } from './http/wire.js';
import { type RunningServer, startServer } from './startServer.js';

// Failures map to the right class: client mistakes are 4xx with words for the client; engine and
// internal faults are 500s that name a request id, with the details in the server log only.
// Cancellation and timeouts also reach a request that is still evaluating a long prompt.
let s: RunningServer;
const logs: ServeLogEntry[] = [];
beforeAll(async () => {
  const { gguf } = await makeToolModel();
  // batchSize 16: a 480-token prompt is evaluated in 30 steps.
  s = await startServer({ model: gguf, port: 0, sequences: 2, contextSize: 512, batchSize: 16, threads: 1, log: (e) => logs.push(e) });
});
afterAll(async () => {
  await s?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  logs.length = 0;
});
const greeting = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: GREETING },
];
const SECRET = '/secret/native/detail';
/** The next detokenize (the first generated token of whichever choice comes first) fails as llama.cpp would. */
const failNextDetokenize = () =>
  vi.spyOn(s.engine, 'detokenize').mockImplementationOnce(() => {
    throw new EngineError('LLAMA_DETOKENIZE', `detokenize failed at ${SECRET}`);
  });

describe('error classes', () => {
  it('an engine failure is a 500 with a generic message and the request id; the details only in the log', async () => {
    failNextDetokenize();
    const r = await postJson(`${s.url}/v1/chat/completions`, { messages: greeting, max_tokens: 40, temperature: 0 });
    const id = r.headers.get('x-request-id');
    expect(r.status).toBe(500);
    const body = (await r.json()) as ErrorBody;
    expect(body.error).toMatchObject({ type: 'server_error', code: 'SERVE_INTERNAL' });
    expect(id).toBeTruthy();
    expect(body.error.message).toContain(id);
    expect(JSON.stringify(body)).not.toContain(SECRET);
    const entry = logs.find((l) => l.request_id === id);
    expect(entry).toMatchObject({ level: 'error', status: 500, error_code: 'LLAMA_DETOKENIZE' });
    expect(String(entry?.error)).toContain(SECRET);
    expect(await eventually(async () => s.scheduler.activeSequences === 0)).toBe(true);
  });

  it('n = 2 with one choice failing: the sibling stopped because of it is not counted as a client cancellation', async () => {
    const cancelled = s.metrics.cancelled;
    failNextDetokenize();
    const r = await postJson(`${s.url}/v1/chat/completions`, {
      messages: greeting,
      n: 2,
      max_tokens: 40,
      ignore_eos: true,
      temperature: 0,
    });
    await r.arrayBuffer();
    expect(await eventually(async () => s.scheduler.activeSequences === 0)).toBe(true);
    expect(s.metrics.cancelled).toBe(cancelled);
    expect(r.status).toBe(500);
  });

  it('an engine failure mid-stream ends the stream with the same generic error event', async () => {
    failNextDetokenize();
    const r = await postJson(`${s.url}/v1/chat/completions`, { messages: greeting, max_tokens: 40, stream: true, temperature: 0 });
    expect(r.status).toBe(200);
    const { events } = await readEvents(r, Number.POSITIVE_INFINITY);
    const err = events.find((e): e is { error: { code: string; message: string } } => typeof e === 'object' && e !== null && 'error' in e);
    expect(err?.error.code).toBe('SERVE_INTERNAL');
    expect(err?.error.message).toContain(r.headers.get('x-request-id'));
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(events.at(-1)).toBe('[DONE]');
    expect(logs.some((l) => String(l.error).includes(SECRET))).toBe(true);
  });

  it('client mistakes are 4xx with the reason: out-of-vocabulary embedding tokens (were a 500), unsupported content parts', async () => {
    const emb = await postJson(`${s.url}/v1/embeddings`, { input: [1, 2, 999_999] });
    expect(emb.status).toBe(400);
    expect(((await emb.json()) as ErrorBody).error).toMatchObject({ code: 'SERVE_BAD_TOKEN', param: 'input' });
    const image = await postJson(`${s.url}/v1/chat/completions`, {
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/y.png' } }] }],
    });
    expect(image.status).toBe(400);
    expect(((await image.json()) as ErrorBody).error).toMatchObject({
      code: 'CHAT_UNSUPPORTED_CONTENT',
      param: 'messages',
      type: 'invalid_request_error',
    });
    expect(logs).toEqual([]); // client mistakes are not server faults
    // …and the server still serves.
    expect((await postJson(`${s.url}/v1/embeddings`, { input: 'hello' })).status).toBe(200);
  });

  it('every response carries X-Request-Id, keeping a sane incoming one', async () => {
    const r = await fetch(`${s.url}/v1/models`, { headers: { 'X-Request-Id': 'trace-123' } });
    expect(r.headers.get('x-request-id')).toBe('trace-123');
    const bad = await fetch(`${s.url}/v1/models`, { headers: { 'X-Request-Id': 'a b<c>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^req-[0-9a-f]{24}$/);
  });
});

describe('cancellation and timeouts during a long prefill', () => {
  /**
   * Runs a 480-token prompt made of `words` (30 prefill steps of 16) and fires `reason` when its second
   * decode is planned. Each test uses other words, so no cached prefix shortens the prefill.
   */
  async function abortMidPrefill(words: string, reason: unknown): Promise<{ status: number; code: string; decodes: number }> {
    const ctrl = new AbortController();
    // The request's signal is ours, so the abort lands at an exact decode step, not at a timer's whim.
    vi.spyOn(s.scheduler, 'requestSignal').mockImplementation(() => ctrl.signal);
    const stats = s.engine.batchStats;
    const b0 = stats.batches;
    let batches = b0;
    Object.defineProperty(stats, 'batches', {
      configurable: true,
      get: () => batches,
      set: (v: number) => {
        batches = v;
        if (v === b0 + 2) ctrl.abort(reason);
      },
    });
    try {
      const ids = s.engine.tokenize(words, false) as Token[];
      const prompt = Array.from({ length: 480 }, (_, i) => ids[i % ids.length]);
      const r = await postJson(`${s.url}/v1/completions`, { prompt, max_tokens: 1 });
      return { status: r.status, code: ((await r.json()) as ErrorBody).error?.code, decodes: batches - b0 };
    } finally {
      Object.defineProperty(stats, 'batches', { configurable: true, writable: true, enumerable: true, value: batches });
    }
  }

  it('a cancel mid-prefill stops the evaluation at the next step, not after the whole prompt', async () => {
    const cancelled = s.metrics.cancelled;
    const r = await abortMidPrefill('the word', new Error('client went away'));
    expect(r).toMatchObject({ status: 499, code: 'SERVE_CANCELLED' });
    expect(r.decodes).toBeLessThanOrEqual(3); // of 30
    expect(s.metrics.cancelled).toBe(cancelled + 1);
    expect(await eventually(async () => s.scheduler.activeSequences === 0)).toBe(true);
  });

  it('a timeout mid-prefill answers 408 at the next step', async () => {
    const timedOut = s.metrics.timedOut;
    const r = await abortMidPrefill('a dog', new DOMException('the request timed out', 'TimeoutError'));
    expect(r).toMatchObject({ status: 408, code: 'SERVE_TIMEOUT' });
    expect(r.decodes).toBeLessThanOrEqual(3);
    expect(s.metrics.timedOut).toBe(timedOut + 1);
  });
});
