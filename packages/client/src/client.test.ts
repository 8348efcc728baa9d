import { type OpenAIPeer, startOpenAIPeer, wordTokens } from '@puyu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs, retryDelay } from './backoff.js';
import { continuationLogprob, type LegacyLogprobs } from './continuationLogprob.js';
import { OpenAIProvider } from './OpenAIProvider.js';
import type { ChatMessage, ChatTool, ChatToolCall, ToolResultMessage } from './Provider.js';
import { parseModelSpec } from './parseModelSpec.js';
import { RateLimiter } from './RateLimiter.js';

let peer: OpenAIPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const fast = { baseMs: 5, maxMs: 40 };

describe('OpenAIProvider', () => {
  it('sends chat and completions requests in the OpenAI wire format, with the API key', async () => {
    peer = await startOpenAIPeer((r) => `echo:${r.prompt}`);
    const chat = new OpenAIProvider({ baseUrl: peer.url, model: 'm', apiKey: 'sk-test' });
    const r = await chat.call({ kind: 'chat', messages: [{ role: 'user', content: 'hi' }], params: { maxTokens: 7, temperature: 0 } });
    expect(r).toMatchObject({ ok: true, texts: ['echo:hi'], attempts: 1 });
    expect(peer.requests[0].route).toBe('chat');
    expect(peer.requests[0].body).toMatchObject({ model: 'm', max_tokens: 7, temperature: 0 });
    expect(peer.requests[0].headers.authorization).toBe('Bearer sk-test');

    const base = new OpenAIProvider({ baseUrl: `${peer.url}/v1`, model: 'm', api: 'completions' });
    const c = await base.call({
      kind: 'chat',
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'Q' },
      ],
    });
    expect(c).toMatchObject({ ok: true, texts: ['echo:S\n\nQ'] });
    expect(peer.requests[1].route).toBe('completions');
  });

  it('sends tools and tool_choice, returns tool_calls per choice, and refuses tools on /completions', async () => {
    const call: ChatToolCall = { id: 'c1', type: 'function', function: { name: 'calc', arguments: '{"x":1}' } };
    peer = await startOpenAIPeer(() => ({
      status: 200,
      body: { choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }] },
    }));
    const tools: ChatTool[] = [{ type: 'function', function: { name: 'calc', parameters: { type: 'object' } } }];
    const chat = new OpenAIProvider({ baseUrl: peer.url, model: 'm' });
    const messages: (ChatMessage | ToolResultMessage)[] = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '', tool_calls: [call] },
      { role: 'tool', content: '2', tool_call_id: 'c1' },
    ];
    const r = await chat.call({ kind: 'chat', messages, tools, toolChoice: 'auto' });
    expect(r).toMatchObject({ ok: true, texts: [''], toolCalls: [[call]] });
    expect(peer.requests[0].body).toMatchObject({ tools, tool_choice: 'auto', messages });

    const base = new OpenAIProvider({ baseUrl: peer.url, model: 'm', api: 'completions' });
    const refused = await base.call({ kind: 'chat', messages: [{ role: 'user', content: 'q' }], tools });
    expect(refused).toMatchObject({ ok: false, error: { code: 'PROVIDER_UNSUPPORTED' } });
    expect(peer.requests).toHaveLength(1);
  });

  it('retries 429 and 500 with backoff, then succeeds', async () => {
    peer = await startOpenAIPeer((r) =>
      r.seen === 1 ? { status: 429, headers: { 'retry-after': '0' } } : r.seen === 2 ? { status: 500 } : 'fine',
    );
    const p = new OpenAIProvider({ baseUrl: peer.url, model: 'm', backoff: fast });
    const r = await p.call({ kind: 'completion', prompt: 'x' });
    expect(r).toMatchObject({ ok: true, texts: ['fine'], attempts: 3 });
    expect(peer.requests.length).toBe(3);
  });

  it('returns errors as data: 400 is not retried, persistent 503 gives up after maxRetries', async () => {
    peer = await startOpenAIPeer((r) => (r.prompt === 'bad' ? { status: 400, body: { error: { message: 'nope' } } } : { status: 503 }));
    const p = new OpenAIProvider({ baseUrl: peer.url, model: 'm', maxRetries: 2, backoff: fast });
    const bad = await p.call({ kind: 'completion', prompt: 'bad' });
    expect(bad).toMatchObject({
      ok: false,
      attempts: 1,
      error: { code: 'PROVIDER_HTTP_400', message: 'HTTP 400: nope', retryable: false },
    });
    const down = await p.call({ kind: 'completion', prompt: 'down' });
    expect(down).toMatchObject({ ok: false, attempts: 3, error: { code: 'PROVIDER_HTTP_503', retryable: true } });
  });

  it('times out a hanging attempt, retries network failures, and reports an unreachable server', async () => {
    peer = await startOpenAIPeer((r) => (r.seen === 1 ? { delayMs: 500, reply: 'late' } : r.seen === 2 ? { hangUp: true } : 'ok'));
    const p = new OpenAIProvider({ baseUrl: peer.url, model: 'm', timeoutMs: 100, backoff: fast });
    expect(await p.call({ kind: 'completion', prompt: 'q' })).toMatchObject({ ok: true, texts: ['ok'], attempts: 3 });
    const gone = new OpenAIProvider({ baseUrl: 'http://127.0.0.1:9', model: 'm', maxRetries: 1, backoff: fast });
    expect(await gone.call({ kind: 'completion', prompt: 'q' })).toMatchObject({
      ok: false,
      attempts: 2,
      error: { code: 'PROVIDER_NETWORK' },
    });
  });

  it('waits out a Retry-After longer than its own backoff, up to maxRetryAfterMs', async () => {
    const at: number[] = [];
    peer = await startOpenAIPeer((r) => {
      at.push(performance.now());
      return r.seen === 1 ? { status: 429, headers: { 'retry-after': '0.3' } } : 'after';
    });
    const p = new OpenAIProvider({ baseUrl: peer.url, model: 'm', backoff: fast });
    expect(await p.call({ kind: 'completion', prompt: 'q' })).toMatchObject({ ok: true, texts: ['after'], attempts: 2 });
    // Our backoff alone would retry within 40 ms; the server asked for 300.
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(290);
    // A Retry-After beyond the cap is not waited out: the backoff applies.
    expect(retryDelay(0, 5 * 60_000, { baseMs: 100, maxRetryAfterMs: 60_000 }, () => 1)).toBe(100);
    expect(retryDelay(0, 2_000, { baseMs: 100 }, () => 1)).toBe(2_000);
    expect(retryDelay(0, undefined, { baseMs: 100 }, () => 0)).toBe(50);
  });

  it('embeds through POST /v1/embeddings: vectors placed by index, dimensions sent, errors as data', async () => {
    peer = await startOpenAIPeer((r) => {
      if (r.prompt.includes('fail')) return { status: 400, body: { error: { message: 'too long' } } };
      const inputs = r.body.input as string[];
      return { embeddings: inputs.map((t) => [t.length, t.charCodeAt(0)]) };
    });
    const p = new OpenAIProvider({ baseUrl: `${peer.url}/v1`, model: 'emb', apiKey: 'k' });
    const r = await p.embed(['a', 'bb', 'ccc'], { dimensions: 2 });
    expect(r).toMatchObject({
      ok: true,
      embeddings: [
        [1, 97],
        [2, 98],
        [3, 99],
      ],
      usage: { promptTokens: 3 },
      attempts: 1,
    });
    expect(peer.requests[0]).toMatchObject({ route: 'embeddings', body: { model: 'emb', input: ['a', 'bb', 'ccc'], dimensions: 2 } });
    expect(peer.requests[0].headers.authorization).toBe('Bearer k');
    expect(await p.embed(['fail'])).toMatchObject({ ok: false, error: { code: 'PROVIDER_HTTP_400', message: 'HTTP 400: too long' } });
  });

  it('sums continuation logprobs from echo through /v1/completions', async () => {
    const ctx = 'Question: 2+2? Answer:';
    peer = await startOpenAIPeer((r) => {
      const { tokens, text_offset } = wordTokens(r.prompt);
      const token_logprobs = tokens.map((_, i) => (i === 0 ? null : -0.5 * i));
      return { logprobs: { tokens, text_offset, token_logprobs, top_logprobs: tokens.map((t) => ({ [t]: -0.1 })) } };
    });
    const p = new OpenAIProvider({ baseUrl: peer.url, model: 'm' });
    const r = await p.call({ kind: 'loglikelihood', context: ctx, continuation: ' four' });
    // tokens: Question:, 2+2?, Answer:, four → only the last (index 3) is the continuation.
    expect(r).toMatchObject({ ok: true, logprob: -1.5, isGreedy: true });
    expect(peer.requests[0].body).toMatchObject({ echo: true, logprobs: 1, max_tokens: 0, prompt: `${ctx} four` });
  });
});

describe('continuationLogprob', () => {
  it('counts a token that straddles the context boundary and flags non-greedy tokens', () => {
    const lp: LegacyLogprobs = {
      tokens: ['The', ' ca', 'ts', ' sat'],
      token_logprobs: [null, -1, -2, -3],
      top_logprobs: [{}, { ' ca': -1 }, { rs: -0.5 }, { ' sat': -3 }],
      text_offset: [0, 3, 6, 8],
    };
    expect(continuationLogprob(lp, 7)).toEqual({ logprob: -5, isGreedy: false, tokens: 2 });
    expect(continuationLogprob(lp, 8)).toEqual({ logprob: -3, isGreedy: true, tokens: 1 });
    expect(continuationLogprob(lp, 12)).toHaveProperty('error');
  });
});

describe('RateLimiter', () => {
  it('caps concurrency and spaces request starts', async () => {
    const limiter = new RateLimiter({ concurrency: 2, requestsPerSecond: 50 });
    let peak = 0;
    const starts: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 6 }, () =>
        limiter.run(async () => {
          starts.push(Date.now() - t0);
          peak = Math.max(peak, limiter.inFlight);
          await new Promise((r) => setTimeout(r, 15));
        }),
      ),
    );
    expect(peak).toBe(2);
    // 6 starts at 50/s are spread over ≥ 100 ms (5 gaps of 20 ms, minus timer slack).
    expect(Math.max(...starts)).toBeGreaterThanOrEqual(90);
  });

  it('stops waiting when aborted', async () => {
    const limiter = new RateLimiter({ concurrency: 1 });
    const ac = new AbortController();
    const hold = limiter.run(() => new Promise((r) => setTimeout(r, 50)));
    const waiting = limiter.run(async () => 'ran', ac.signal);
    ac.abort();
    await expect(waiting).rejects.toThrow();
    await hold;
  });
});

describe('backoff and specs', () => {
  it('grows exponentially with jitter, capped, and reads Retry-After', () => {
    expect(backoffDelay(0, { baseMs: 100 }, () => 0)).toBe(50);
    expect(backoffDelay(3, { baseMs: 100 }, () => 1)).toBe(800);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 1000 }, () => 1)).toBe(1000);
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('parses URL@model, completions+ and local: specs, and rejects junk', () => {
    expect(parseModelSpec('http://u@h:8000/v1@org/model:7b')).toEqual({
      kind: 'openai',
      baseUrl: 'http://u@h:8000/v1',
      model: 'org/model:7b',
      api: 'chat',
    });
    expect(parseModelSpec('completions+http://127.0.0.1:1@base')).toMatchObject({ api: 'completions', model: 'base' });
    expect(parseModelSpec('local:/m/tiny.gguf')).toEqual({ kind: 'local', path: '/m/tiny.gguf', model: 'tiny' });
    expect(() => parseModelSpec('internlm2')).toThrow(/URL@model/);
  });
});
