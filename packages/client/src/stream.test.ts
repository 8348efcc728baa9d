import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIProvider } from './OpenAIProvider.js';
import { ProviderStreamError, sseEvents } from './sseEvents.js';

type Handler = (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => void | Promise<void>;

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A local server whose every request goes to `handler` (with its JSON body); returns its URL. */
async function serve(handler: Handler): Promise<string> {
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    await handler(req, raw ? (JSON.parse(raw) as Record<string, unknown>) : {}, res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push({ close: () => server.close() });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const tick = () => new Promise((ok) => setTimeout(ok, 5));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

describe('sseEvents', () => {
  it('splits events across chunks, LF and CRLF, joins multi-line data, skips comments, stops at [DONE]', async () => {
    const got = await collect(
      sseEvents(
        chunks(
          ': keep-alive\n\ndata: {"a"',
          ':1}\n\ndata: {"b":\r\ndata: 2}\r\n\r\nevent: x\ndata: {"c":3}\n\ndata: [DONE]\n\ndata: {"d":4}\n\n',
        ),
        'peer',
      ),
    );
    expect(got).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('keeps a last event that has no blank line after it, and splits a multi-byte character across chunks', async () => {
    const bytes = new TextEncoder().encode('data: {"t":"算"}');
    const got = await collect(
      sseEvents(
        (async function* () {
          yield bytes.slice(0, 13);
          yield bytes.slice(13);
        })(),
        'peer',
      ),
    );
    expect(got).toEqual([{ t: '算' }]);
  });

  it('throws PROVIDER_BAD_RESPONSE for a non-JSON event and for an error event', async () => {
    await expect(collect(sseEvents(chunks('data: {"a":1}\n\ndata: nope\n\n'), 'peer'))).rejects.toMatchObject({
      code: 'PROVIDER_BAD_RESPONSE',
    });
    const err = await collect(sseEvents(chunks('data: {"error":{"message":"engine died"}}\n\n'), 'peer')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderStreamError);
    expect((err as Error).message).toContain('engine died');
  });
});

describe('OpenAIProvider.stream', () => {
  it('streams chat deltas with model and stream: true sent, and the API key', async () => {
    let seen: { body?: Record<string, unknown>; auth?: string } = {};
    const url = await serve(async (req, body, res) => {
      seen = { body, auth: req.headers.authorization };
      sse(res);
      for (const t of ['Hel', 'lo']) {
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] })}\n\n`);
        await tick();
      }
      res.end('data: [DONE]\n\n');
    });
    const p = new OpenAIProvider({ baseUrl: url, model: 'm', apiKey: 'k' });
    const events = await collect(p.stream('/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }));
    expect(events.map((e) => (e as { choices: { delta: { content: string } }[] }).choices[0].delta.content).join('')).toBe('Hello');
    expect(seen.body).toMatchObject({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(seen.auth).toBe('Bearer k');
  });

  it('retries a 429 before the stream starts (honouring Retry-After), and never retries a 400', async () => {
    let calls = 0;
    const url = await serve((_req, _body, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { 'retry-after': '0' }).end('{"error":{"message":"busy"}}');
        return;
      }
      sse(res);
      res.end('data: {"ok":1}\n\ndata: [DONE]\n\n');
    });
    const p = new OpenAIProvider({ baseUrl: url, model: 'm', backoff: { baseMs: 1, maxMs: 2 } });
    expect(await collect(p.stream('/completions', { prompt: 'x' }))).toEqual([{ ok: 1 }]);
    expect(calls).toBe(2);

    const url400 = await serve((_req, _body, res) => {
      res.writeHead(400).end('{"error":{"message":"bad prompt"}}');
    });
    const err = await collect(new OpenAIProvider({ baseUrl: url400, model: 'm' }).stream('/completions', {})).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROVIDER_HTTP_400' });
    expect((err as Error).message).toContain('bad prompt');
  });

  it('holds its limiter slot for the whole stream: a second stream starts only after the first ends', async () => {
    const order: string[] = [];
    const url = await serve(async (_req, body, res) => {
      order.push(`start ${body.prompt}`);
      sse(res);
      await new Promise((ok) => setTimeout(ok, 60));
      order.push(`end ${body.prompt}`);
      res.end('data: {"x":1}\n\ndata: [DONE]\n\n');
    });
    const p = new OpenAIProvider({ baseUrl: url, model: 'm', concurrency: 1 });
    await Promise.all([collect(p.stream('/completions', { prompt: 'a' })), collect(p.stream('/completions', { prompt: 'b' }))]);
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('gives the slot back when the consumer stops early, and reports an unreachable server as PROVIDER_NETWORK', async () => {
    const url = await serve(async (_req, _body, res) => {
      sse(res);
      for (let i = 0; i < 100; i++) {
        if (res.destroyed) return;
        res.write(`data: {"i":${i}}\n\n`);
        await tick();
      }
      res.end();
    });
    const p = new OpenAIProvider({ baseUrl: url, model: 'm', concurrency: 1 });
    for await (const e of p.stream('/completions', {})) {
      expect(e).toEqual({ i: 0 });
      break;
    }
    // the slot is free again: this would wait forever otherwise
    for await (const e of p.stream('/completions', {})) {
      expect(e).toEqual({ i: 0 });
      break;
    }
    const dead = new OpenAIProvider({ baseUrl: 'http://127.0.0.1:9', model: 'm', maxRetries: 0 });
    await expect(collect(dead.stream('/completions', {}))).rejects.toMatchObject({ code: 'PROVIDER_NETWORK' });
  });
});

describe('OpenAIProvider.models', () => {
  it('lists GET /v1/models ids and returns failures as data', async () => {
    const url = await serve((req, _body, res) => {
      if (req.url === '/v1/models') res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"a"},{"id":"b"}]}');
      else res.writeHead(404).end();
    });
    expect(await new OpenAIProvider({ baseUrl: url, model: '' }).models()).toEqual({ ok: true, ids: ['a', 'b'] });
    expect(await new OpenAIProvider({ baseUrl: `${url}/nope`, model: '' }).models()).toMatchObject({
      ok: false,
      error: { code: 'PROVIDER_HTTP_404' },
    });
    expect(await new OpenAIProvider({ baseUrl: 'http://127.0.0.1:9', model: '' }).models()).toMatchObject({
      ok: false,
      error: { code: 'PROVIDER_NETWORK' },
    });
  });
});
