import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertHfToGguf, defaultTokenizerPath, initInternLM2, makeInternLM2Config, saveHfModel } from '@puyu/model';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../startServer.js';
import { ProxyServer } from './ProxyServer.js';

// Two real `puyu serve` nodes on one tiny model, and the proxy in front of them.
const tmp = mkdtempSync(join(tmpdir(), 'puyu-proxy-'));
let gguf = '';
const servers: RunningServer[] = [];
let proxy: ProxyServer;
let proxyUrl = '';

beforeAll(async () => {
  const config = makeInternLM2Config({
    vocab_size: 2048,
    hidden_size: 64,
    intermediate_size: 128,
    num_hidden_layers: 1,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 256,
  });
  await saveHfModel(join(tmp, 'hf'), config, initInternLM2(config, { seed: 3, std: 0.2 }), { tokenizer: defaultTokenizerPath() });
  gguf = join(tmp, 'tiny.gguf');
  await convertHfToGguf(join(tmp, 'hf'), gguf, { type: 'f32' });
  for (let i = 0; i < 2; i++)
    servers.push(await startServer({ model: gguf, modelName: 'tiny', port: 0, sequences: 2, contextSize: 256, threads: 1 }));
  proxy = new ProxyServer({ nodes: servers.map((s) => ({ url: s.url })), strategy: 'least-outstanding', healthIntervalMs: 60_000 });
  proxyUrl = (await proxy.listen(0)).url;
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  for (const s of servers) await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('puyu serve proxy', () => {
  it('serves /v1/models and chat (plain and streaming) through either node, spreading load', async () => {
    const client = new OpenAI({ baseURL: `${proxyUrl}/v1`, apiKey: 'none' });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['tiny']);
    const plain = await Promise.all(
      Array.from({ length: 6 }, () =>
        client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0 }),
      ),
    );
    expect(plain.every((r) => r.choices[0].finish_reason === 'length' || r.choices[0].finish_reason === 'stop')).toBe(true);
    const stream = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 8,
      temperature: 0,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(plain[0].choices[0].message.content); // same greedy output, streamed through the proxy
    const nodes = (await (await fetch(`${proxyUrl}/nodes`)).json()) as { nodes: { requests: number; outstanding: number }[] };
    expect(nodes.nodes.map((n) => n.requests).every((r) => r >= 2)).toBe(true);
    expect(nodes.nodes.every((n) => n.outstanding === 0)).toBe(true);
  });

  it('retries on another node when one is down, and reports 503 when none is left', async () => {
    const down = await startServer({ model: gguf, modelName: 'tiny', port: 0, sequences: 1, contextSize: 256, threads: 1 });
    const url = down.url;
    await down.close(); // a node that refuses connections
    const p = new ProxyServer({ nodes: [{ url }, { url: servers[0].url }], strategy: 'least-outstanding', healthIntervalMs: 60_000 }); // ties go to the first (dead) node
    const { url: pu } = await p.listen(0);
    try {
      // the health check already marked it down; pretend it was up (as if it died after the check) so routing hits it
      for (const n of p.registry.list()) Object.assign(n, { healthy: true, models: ['tiny'] });
      for (let i = 0; i < 4; i++) {
        const r = await fetch(`${pu}/v1/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'tiny', prompt: 'a', max_tokens: 2 }),
        });
        expect(r.status).toBe(200);
      }
      const dead = p.registry.list().find((n) => n.url === url);
      expect(dead?.healthy).toBe(false);
      expect(dead?.failures).toBe(1);
      p.registry.remove(servers[0].url);
      const r = await fetch(`${pu}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny', prompt: 'a' }),
      });
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('no_healthy_node');
    } finally {
      await p.close();
    }
  });

  it('adds and removes nodes at run time, guarded by the API key', async () => {
    const p = new ProxyServer({ nodes: [], apiKeys: ['k'], healthIntervalMs: 60_000 });
    const { url: pu } = await p.listen(0);
    try {
      const auth = { authorization: 'Bearer k', 'content-type': 'application/json' };
      expect((await fetch(`${pu}/nodes`)).status).toBe(401);
      expect((await fetch(`${pu}/v1/models`, { headers: auth })).status).toBe(200);
      const added = await fetch(`${pu}/nodes`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ url: `${servers[1].url}/v1`, weight: 2 }),
      });
      expect(added.status).toBe(201);
      expect(((await added.json()) as { healthy: boolean; models: string[] }).models).toEqual(['tiny']);
      const r = await fetch(`${pu}/v1/chat/completions`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'x' }], max_tokens: 2 }),
      });
      expect(r.status).toBe(200);
      expect((await fetch(`${pu}/nodes`, { method: 'POST', headers: auth, body: '{"url": "not a url"}' })).status).toBe(400);
      const removed = await fetch(`${pu}/nodes`, { method: 'DELETE', headers: auth, body: JSON.stringify({ url: servers[1].url }) });
      expect(removed.status).toBe(200);
      expect(p.registry.list()).toHaveLength(0);
      expect((await fetch(`${pu}/v1/models`, { method: 'POST', headers: auth, body: '{bad' })).status).toBe(400);
    } finally {
      await p.close();
    }
  });
});
