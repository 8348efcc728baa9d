import { mkdtemp, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, GREETING, GREETING_REPLY, makeToolModel, metric, postJson, readEvents, SYSTEM, WEATHER_TOOL } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hfFolderKey, resolveModelPath } from './engine/resolveModelPath.js';
import type { ChatCompletionBody, CompletionBody, ErrorBody } from './http/wire.js';
import { type RunningServer, startServer } from './startServer.js';

let gguf: string;
let hf: string;
const open: RunningServer[] = [];
async function serve(opts: Partial<Parameters<typeof startServer>[0]> = {}): Promise<RunningServer> {
  const s = await startServer({ model: gguf, port: 0, sequences: 4, contextSize: 512, threads: 1, ...opts });
  open.push(s);
  return s;
}
const greeting = {
  messages: [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: GREETING },
  ],
  temperature: 0,
};
const long = (max: number) => ({ prompt: 'hello', max_tokens: max, temperature: 0.8, seed: 1, ignore_eos: true });
const scrape = async (s: RunningServer) => (await fetch(`${s.url}/metrics`)).text();
/** A response body read as the shape this server sends. */
const json = async <T>(r: Response | Promise<Response>): Promise<T> => (await (await r).json()) as T;

beforeAll(async () => {
  ({ gguf, hf } = await makeToolModel());
});
afterAll(async () => {
  for (const s of open) await s.close();
});

describe('scheduler', () => {
  it('prefix reuse: a request sharing a cached prefix evaluates only its suffix, with the same result', async () => {
    const s = await serve({ sequences: 2 });
    const tools = [{ type: 'function', function: WEATHER_TOOL }];
    const ask = (city: string) => ({
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: `What is the weather in ${city}?` },
      ],
      tools,
      temperature: 0,
    });
    const first = await json<ChatCompletionBody>(postJson(`${s.url}/v1/chat/completions`, ask('Shanghai')));
    const before = metric(await scrape(s), 'puyu_prefix_reused_tokens_total');
    expect(before).toBe(0);
    const second = await json<ChatCompletionBody>(postJson(`${s.url}/v1/chat/completions`, ask('Beijing')));
    const reused = metric(await scrape(s), 'puyu_prefix_reused_tokens_total');
    // The system turn and the tool list (~100 tokens) are shared; only the user turn differs.
    expect(reused).toBeGreaterThan(first.usage.prompt_tokens * 0.6);
    expect(reused).toBeLessThan(second.usage.prompt_tokens);
    expect(JSON.parse(second.choices[0].message.tool_calls?.[0].function.arguments ?? '')).toEqual({ location: 'Beijing' });
    // Same request again: everything but the last prompt token is reused, and the answer is unchanged.
    const again = await json<ChatCompletionBody>(postJson(`${s.url}/v1/chat/completions`, ask('Beijing')));
    expect(metric(await scrape(s), 'puyu_prefix_reused_tokens_total') - reused).toBe(second.usage.prompt_tokens - 1);
    expect(again.choices[0].message.tool_calls?.[0].function).toEqual(second.choices[0].message.tool_calls?.[0].function);
    console.log(`prefix reuse: ${reused} of ${second.usage.prompt_tokens} prompt tokens reused for a different question`);
  });

  it('continuous batching: concurrent requests share decode batches', async () => {
    const N = 96;
    // The same four streams with decode steps lined up (the default) and with node-llama-cpp's own dispatch.
    const measure = async (s: RunningServer) => {
      const b0 = { ...s.engine.batchStats };
      let t = performance.now();
      await json<CompletionBody>(postJson(`${s.url}/v1/completions`, long(N)));
      const single = performance.now() - t;
      const b1 = { ...s.engine.batchStats };
      t = performance.now();
      const rs = await Promise.all([0, 1, 2, 3].map(() => json<CompletionBody>(postJson(`${s.url}/v1/completions`, long(N)))));
      const four = performance.now() - t;
      const b2 = { ...s.engine.batchStats };
      for (const r of rs) expect(r.usage.completion_tokens).toBe(N);
      const quadBatches = b2.batches - b1.batches;
      const perBatch = (b2.items - b1.items) / quadBatches;
      const line =
        `1 stream ${N} tokens in ${b1.batches - b0.batches} decodes (${((N / single) * 1000).toFixed(0)} tok/s); ` +
        `4 streams ${4 * N} tokens in ${quadBatches} decodes, ${perBatch.toFixed(2)} sequences/decode, max ${b2.maxItems} ` +
        `(${(((4 * N) / four) * 1000).toFixed(0)} tok/s aggregate)`;
      return { quadBatches, perBatch, maxItems: b2.maxItems, line };
    };
    const lined = await measure(await serve({ sequences: 4 }));
    const stock = await measure(await serve({ sequences: 4, coalesceSteps: false }));
    console.log(`batching, steps lined up: ${lined.line}\nbatching, node-llama-cpp dispatch: ${stock.line}`);
    // Decoding four streams one by one would take ≥ 4·N decodes; batched, far fewer.
    expect(stock.quadBatches).toBeLessThan(2 * N);
    expect(stock.maxItems).toBeGreaterThanOrEqual(3);
    // node-llama-cpp alone starts the next decode before the sequence sampled last has re-queued
    // (measured ~2.9 sequences/decode). Lined up, every step carries all four streams; only the
    // prompt batches and the tails differ.
    expect(lined.maxItems).toBe(4);
    expect(lined.perBatch).toBeGreaterThan(3.5);
    expect(lined.quadBatches).toBeLessThan(stock.quadBatches);
  });

  it('backpressure: a full queue answers 429 with Retry-After and an OpenAI error body', async () => {
    const s = await serve({ sequences: 1, maxQueue: 1 });
    const a = new AbortController();
    const b = new AbortController();
    const first = await postJson(`${s.url}/v1/completions`, { ...long(400), stream: true }, { signal: a.signal });
    await readEvents(first, 1); // it holds the only sequence now
    const queued = postJson(`${s.url}/v1/completions`, long(4), { signal: b.signal });
    expect(await eventually(async () => s.scheduler.queueDepth === 1)).toBe(true);
    const rejected = await postJson(`${s.url}/v1/completions`, long(4));
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('retry-after')).toBe('1');
    const body = await json<ErrorBody>(rejected);
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'SERVE_OVERLOADED' });
    a.abort();
    const q = await queued;
    expect(q.status).toBe(200);
    expect((await json<CompletionBody>(q)).usage.completion_tokens).toBe(4);
    expect(metric(await scrape(s), 'puyu_requests_rejected_total')).toBe(1);
  });

  it('cancellation: a client disconnect frees the sequence', async () => {
    const s = await serve({ sequences: 2 });
    const a = new AbortController();
    const res = await postJson(
      `${s.url}/v1/chat/completions`,
      { ...greeting, max_tokens: 400, ignore_eos: true, stream: true },
      { signal: a.signal },
    );
    const { events } = await readEvents(res, 3);
    expect(events.length).toBe(3);
    expect(s.scheduler.activeSequences).toBe(1);
    a.abort();
    expect(await eventually(async () => s.scheduler.activeSequences === 0)).toBe(true);
    const m = await scrape(s);
    expect(metric(m, 'puyu_active_sequences')).toBe(0);
    expect(metric(m, 'puyu_requests_cancelled_total')).toBe(1);
    expect(metric(m, 'puyu_generation_tokens_total')).toBeLessThan(400);
    // The freed sequence serves the next request normally.
    const next = await json<ChatCompletionBody>(postJson(`${s.url}/v1/chat/completions`, greeting));
    expect(next.choices[0].message.content).toBe(GREETING_REPLY);
  });

  it('per-request timeout: 408 timeout_error, sequence freed', async () => {
    const s = await serve({ sequences: 1, timeoutMs: 30 });
    const r = await postJson(`${s.url}/v1/completions`, long(450));
    expect(r.status).toBe(408);
    expect((await json<ErrorBody>(r)).error).toMatchObject({ type: 'timeout_error', code: 'SERVE_TIMEOUT' });
    expect(s.scheduler.activeSequences).toBe(0);
  });

  it('quantized KV cache (q8_0, with flash attention) keeps the greedy answer', async () => {
    const s = await serve({ sequences: 1, kvCacheType: 'q8_0' });
    expect(s.engine.context.flashAttention).toBe(true);
    const r = await json<ChatCompletionBody>(postJson(`${s.url}/v1/chat/completions`, greeting));
    expect(r.choices[0].message.content).toBe(GREETING_REPLY);
    await expect(startServer({ model: gguf, port: 0, kvCacheType: 'q4_0', flashAttention: false })).rejects.toMatchObject({
      code: 'SERVE_BAD_KV_TYPE',
    });
  });
});

describe('HTTP surface', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await serve({
      sequences: 2,
      apiKeys: ['k1', 'k2'],
      corsOrigins: ['https://studio.example'],
      maxBodyBytes: 20_000,
      maxPromptTokens: 200,
    });
  });
  const auth = { headers: { Authorization: 'Bearer k2' } };

  it('malformed requests get 4xx with OpenAI error bodies', async () => {
    const cases: [unknown, number, string | null][] = [
      ['{not json', 400, null],
      [{}, 400, 'messages'],
      [{ messages: [] }, 400, 'messages'],
      [{ messages: [{ role: 'wizard', content: 'x' }] }, 400, 'messages.0.role'],
      [{ ...greeting, temperature: 5 }, 400, 'temperature'],
      [{ ...greeting, n: 0 }, 400, 'n'],
      [{ ...greeting, response_format: { type: 'xml' } }, 400, 'response_format.type'],
      [
        {
          ...greeting,
          tools: [{ type: 'function', function: WEATHER_TOOL }],
          tool_choice: { type: 'function', function: { name: 'nope' } },
        },
        400,
        'tool_choice',
      ],
    ];
    for (const [body, status, param] of cases) {
      const r = await postJson(`${s.url}/v1/chat/completions`, body, auth);
      expect(r.status, JSON.stringify(body)).toBe(status);
      const e = (await json<ErrorBody>(r)).error;
      expect(e).toMatchObject({ type: 'invalid_request_error' });
      expect(typeof e.message).toBe('string');
      expect(typeof e.code).toBe('string');
      if (param) expect(e.param).toBe(param);
    }
    const bad = await postJson(`${s.url}/v1/completions`, { prompt: [999999] }, auth);
    expect(bad.status).toBe(400);
    expect((await json<ErrorBody>(bad)).error.code).toBe('SERVE_BAD_TOKEN');
    const nf = await fetch(`${s.url}/v1/nothing`, auth);
    expect(nf.status).toBe(404);
    expect((await json<ErrorBody>(nf)).error.code).toBe('not_found');
  });

  it('prompt too long → 400 context_length_exceeded; body too large → 413', async () => {
    const r = await postJson(`${s.url}/v1/completions`, { prompt: 'word '.repeat(400), max_tokens: 1 }, auth);
    expect(r.status).toBe(400);
    expect((await json<ErrorBody>(r)).error).toMatchObject({ code: 'context_length_exceeded', param: 'prompt' });
    const big = await postJson(`${s.url}/v1/completions`, { prompt: 'x'.repeat(30_000) }, auth);
    expect(big.status).toBe(413);
    expect((await json<ErrorBody>(big)).error.code).toBe('SERVE_BODY_TOO_LARGE');
  });

  it('API keys: missing or wrong → 401; /health stays open', async () => {
    expect((await postJson(`${s.url}/v1/chat/completions`, greeting)).status).toBe(401);
    const wrong = await postJson(`${s.url}/v1/chat/completions`, greeting, { headers: { Authorization: 'Bearer k3' } });
    expect(wrong.status).toBe(401);
    expect((await json<ErrorBody>(wrong)).error.type).toBe('authentication_error');
    expect((await postJson(`${s.url}/v1/chat/completions`, greeting, auth)).status).toBe(200);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  it('CORS: preflight from an allowed origin', async () => {
    const r = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://studio.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });
    expect(r.status).toBeLessThan(300);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://studio.example');
  });

  it('metrics expose request counts, token counters, latency histograms and gauges', async () => {
    const m = await scrape(s);
    expect(m).toMatch(/puyu_requests_total\{route="\/v1\/chat\/completions",status="200"\} \d+/);
    expect(m).toMatch(/puyu_requests_total\{route="\/v1\/chat\/completions",status="400"\} \d+/);
    expect(metric(m, 'puyu_generation_tokens_total')).toBeGreaterThan(0);
    expect(metric(m, 'puyu_time_to_first_token_seconds_count')).toBeGreaterThan(0);
    expect(metric(m, 'puyu_inter_token_latency_seconds_count')).toBeGreaterThan(0);
    expect(metric(m, 'puyu_queue_depth')).toBe(0);
    expect(metric(m, 'puyu_active_sequences')).toBe(0);
  });
});

describe('model resolution', () => {
  it('an HF folder is converted once, cached, and re-converted when a file changes', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'puyu-serve-cache-'));
    const a = await resolveModelPath(hf, { cacheDir });
    expect(a).toMatchObject({ converted: true, cached: false });
    const b = await resolveModelPath(hf, { cacheDir });
    expect(b).toMatchObject({ path: a.path, converted: false, cached: true });
    const key = await hfFolderKey(hf);
    const later = new Date(Date.now() + 5000);
    await utimes(join(hf, 'config.json'), later, later);
    expect(await hfFolderKey(hf)).not.toBe(key);
    const s = await serve({ model: hf, cacheDir, sequences: 1, modelName: 'from-hf' });
    const r = await json<ChatCompletionBody>(postJson(`${s.url}/v1/chat/completions`, greeting));
    expect(r.model).toBe('from-hf');
    expect(r.choices[0].message.content).toBe(GREETING_REPLY);
    await expect(resolveModelPath(join(tmpdir(), 'no-such-model.gguf'))).rejects.toMatchObject({ code: 'SERVE_MODEL_NOT_FOUND' });
  });
});
