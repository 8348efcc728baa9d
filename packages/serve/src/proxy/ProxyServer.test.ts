import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyServer } from './ProxyServer.js';

// A fake node: /v1/models for the health check, and a chat stream that never ends by itself.
interface FakeNode {
  url: string;
  server: Server;
  /** Resolves when the node sees its streaming client (the proxy) go away. */
  streamClosed: Promise<void>;
  close(): Promise<void>;
}
async function fakeNode(): Promise<FakeNode> {
  let onStreamClosed!: () => void;
  const streamClosed = new Promise<void>((resolve) => (onStreamClosed = resolve));
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ id: 'fake' }] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    open.add(res);
    const timer = setInterval(() => res.write('data: {"choices":[{"delta":{"content":"x"}}]}\n\n'), 20);
    res.on('close', () => {
      clearInterval(timer);
      open.delete(res);
      onStreamClosed();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    streamClosed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of open) r.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms))]);

describe('ProxyServer', () => {
  it('close() ends open streams at once instead of waiting for them, and stops the upstream generation', async () => {
    const node = await fakeNode();
    cleanups.push(node.close);
    const proxy = new ProxyServer({ nodes: [{ url: node.url }], healthIntervalMs: 60_000 });
    const { url } = await proxy.listen(0);
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake', stream: true, messages: [] }),
    });
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false); // the stream is flowing through the proxy
    await within(proxy.close(), 2000, 'proxy.close() with an open stream');
    // The client's stream ends (cut), and the node saw the proxy's request go away.
    await within(
      (async () => {
        for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return;
      })(),
      2000,
      'the client stream to end',
    );
    await within(node.streamClosed, 2000, 'the upstream request to be aborted');
  });

  it('accepts API keys as the server does (one constant-time helper): scheme in any case', async () => {
    const node = await fakeNode();
    cleanups.push(node.close);
    const proxy = new ProxyServer({ nodes: [{ url: node.url }], apiKeys: ['k'], healthIntervalMs: 60_000 });
    const { url } = await proxy.listen(0);
    cleanups.push(() => proxy.close());
    const status = async (authorization?: string) =>
      (await fetch(`${url}/v1/models`, { headers: authorization ? { authorization } : {} })).status;
    expect(await status('Bearer k')).toBe(200);
    expect(await status('bearer k')).toBe(200);
    expect(await status('Bearer k2')).toBe(401);
    expect(await status()).toBe(401);
  });
});
