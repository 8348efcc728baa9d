import {
  CITIES,
  eventually,
  GREETING,
  GREETING_REPLY,
  makeToolModel,
  metric,
  postJson,
  readEvents,
  SYSTEM,
  WEATHER_TOOL,
} from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './startServer.js';

// Bounded loopback load + fault test: valid, aborted-mid-stream and malformed requests mixed at
// 16 in flight against 4 sequences. Nothing may crash, leak a sequence, or grow memory unboundedly.
const TOTAL = Number(process.env.PUYU_LOAD_REQUESTS ?? 200);
const CONCURRENCY = Number(process.env.PUYU_LOAD_CONCURRENCY ?? 16);

let server: RunningServer;
beforeAll(async () => {
  const { gguf } = await makeToolModel();
  server = await startServer({ model: gguf, port: 0, sequences: 4, contextSize: 512, threads: 1, maxQueue: CONCURRENCY * 2 });
});
afterAll(async () => {
  await server?.close();
});

type Kind = 'chat' | 'chat-stream' | 'tool' | 'tool-stream' | 'completion' | 'abort' | 'malformed';
function kindOf(i: number): Kind {
  if (i % 20 === 7) return 'malformed'; // 5%
  if (i % 10 === 3) return 'abort'; // 10%
  return (['chat', 'chat-stream', 'tool', 'tool-stream', 'completion'] as const)[i % 5];
}
const MALFORMED = [
  '{"messages": [',
  { messages: 'hi' },
  { messages: [{ role: 'user' }] },
  { messages: [{ role: 'user', content: 'x' }], top_p: 7 },
];
const greeting = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: GREETING },
];
const tools = [{ type: 'function', function: WEATHER_TOOL }];
const weather = (city: string) => [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: `What is the weather in ${city}?` },
];

async function sseText(res: Response): Promise<{ content: string; args: string; finish: string | null }> {
  const { events } = await readEvents(res, Number.POSITIVE_INFINITY);
  let content = '';
  let args = '';
  let finish: string | null = null;
  for (const e of events) {
    if (e === '[DONE]') continue;
    const ch = (
      e as { choices: { delta: { content?: string; tool_calls?: { function: { arguments?: string } }[] }; finish_reason: string | null }[] }
    ).choices[0];
    content += ch?.delta.content ?? '';
    for (const t of ch?.delta.tool_calls ?? []) args += t.function.arguments ?? '';
    finish = ch?.finish_reason ?? finish;
  }
  return { content, args, finish };
}

interface Outcome {
  kind: Kind;
  /** The server answered as the protocol says (status, body or stream, finish reason). */
  completed: boolean;
  /** …and with the content the model gives when it runs alone. */
  ok: boolean;
  detail?: string;
}

async function one(i: number): Promise<Outcome> {
  const kind = kindOf(i);
  const url = `${server.url}/v1/chat/completions`;
  const city = CITIES[i % CITIES.length];
  switch (kind) {
    case 'malformed': {
      const r = await postJson(url, MALFORMED[i % MALFORMED.length]);
      const body = await r.json();
      const ok = r.status >= 400 && r.status < 500 && typeof body.error?.message === 'string' && typeof body.error?.type === 'string';
      return { kind, completed: ok, ok };
    }
    case 'abort': {
      const a = new AbortController();
      const r = await postJson(
        url,
        { messages: greeting, stream: true, max_tokens: 300, ignore_eos: true, temperature: 0.9, seed: i },
        { signal: a.signal },
      );
      await readEvents(r, 3);
      a.abort();
      return { kind, completed: true, ok: true };
    }
    case 'chat': {
      const r = await (await postJson(url, { messages: greeting, temperature: 0 })).json();
      const completed = typeof r.choices?.[0]?.message?.content === 'string' && typeof r.choices[0].finish_reason === 'string';
      return { kind, completed, ok: r.choices?.[0]?.message?.content === GREETING_REPLY, detail: JSON.stringify(r).slice(0, 200) };
    }
    case 'chat-stream': {
      const s = await sseText(await postJson(url, { messages: greeting, temperature: 0, stream: true }));
      return {
        kind,
        completed: typeof s.finish === 'string',
        ok: s.content === GREETING_REPLY && s.finish === 'stop',
        detail: JSON.stringify(s),
      };
    }
    case 'tool': {
      const r = await (await postJson(url, { messages: weather(city), tools, temperature: 0 })).json();
      const call = r.choices?.[0]?.message?.tool_calls?.[0];
      return {
        kind,
        completed: typeof r.choices?.[0]?.finish_reason === 'string',
        ok: call?.function?.name === 'get_weather' && JSON.parse(call.function.arguments).location === city,
        detail: JSON.stringify(r).slice(0, 300),
      };
    }
    case 'tool-stream': {
      const s = await sseText(await postJson(url, { messages: weather(city), tools, temperature: 0, stream: true }));
      return {
        kind,
        completed: typeof s.finish === 'string',
        ok: s.finish === 'tool_calls' && JSON.parse(s.args || '{}').location === city,
        detail: JSON.stringify(s),
      };
    }
    case 'completion': {
      const r = await (
        await postJson(`${server.url}/v1/completions`, { prompt: 'hello', max_tokens: 24, ignore_eos: true, temperature: 1, seed: i })
      ).json();
      const ok = r.usage?.completion_tokens === 24;
      return { kind, completed: ok, ok, detail: JSON.stringify(r).slice(0, 200) };
    }
  }
}

describe('load and faults', () => {
  it(`${TOTAL} requests at ${CONCURRENCY} concurrent, 10% aborted mid-stream, 5% malformed`, async () => {
    // Warm-up so lazily built state (grammars, embedding context, JIT) is not counted as growth.
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => one(i * 10 + 1)));
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const results: Outcome[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) {
          const i = next++;
          results.push(await one(i).catch((e): Outcome => ({ kind: kindOf(i), completed: false, ok: false, detail: String(e) })));
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    expect(await eventually(async () => server.scheduler.activeSequences === 0)).toBe(true);
    global.gc?.();
    const rssAfter = process.memoryUsage().rss;
    const byKind = new Map<Kind, { n: number; ok: number }>();
    for (const r of results) {
      const k = byKind.get(r.kind) ?? { n: 0, ok: 0 };
      k.n++;
      if (r.ok) k.ok++;
      byKind.set(r.kind, k);
    }
    const m = await (await fetch(`${server.url}/metrics`)).text();
    console.log(
      `load: ${results.length} requests in ${seconds.toFixed(1)} s; ${[...byKind].map(([k, v]) => `${k} ${v.ok}/${v.n}`).join(', ')}; ` +
        `generated ${metric(m, 'puyu_generation_tokens_total')} tokens, cancelled ${metric(m, 'puyu_requests_cancelled_total')}, ` +
        `RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MiB`,
    );
    // Every valid request must complete. The content must match what the model says alone for
    // the large majority of them (observed: 0–9 of 200 differ): llama.cpp's batched decode is not bit-identical to a single-sequence
    // decode (other matmul kernels, other summation order), and this tiny, briefly trained model
    // has near-ties where a last-digit difference flips a greedy choice. Cross-talk between
    // sequences would break far more than a few.
    const incomplete = results.filter((r) => !r.completed);
    expect(incomplete.slice(0, 3)).toEqual([]);
    const mismatched = results.filter((r) => !r.ok);
    if (mismatched.length)
      console.log(`content differed from the solo run on ${mismatched.length}/${results.length}:`, mismatched.slice(0, 3));
    expect(mismatched.length).toBeLessThanOrEqual(Math.ceil(TOTAL * 0.1));
    expect(results).toHaveLength(TOTAL);
    expect(byKind.get('abort')?.n).toBe(TOTAL / 10);
    expect(byKind.get('malformed')?.n).toBe(TOTAL / 20);
    expect(metric(m, 'puyu_active_sequences')).toBe(0);
    expect(metric(m, 'puyu_queue_depth')).toBe(0);
    expect(metric(m, 'puyu_requests_cancelled_total')).toBeGreaterThanOrEqual(TOTAL / 10);
    // Memory: bounded growth (allocator noise), not proportional to the requests served.
    expect(rssAfter - rssBefore).toBeLessThan(150 * 2 ** 20);
    // Still serving.
    const r = await (await postJson(`${server.url}/v1/chat/completions`, { messages: greeting, temperature: 0 })).json();
    expect(r.choices[0].message.content).toBe(GREETING_REPLY);
  });
});
