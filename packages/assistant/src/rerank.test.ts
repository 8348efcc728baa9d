import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAIProvider } from '@puyu/client';
import { startOpenAIPeer } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { endpointReranker, llmReranker } from './rerank.js';
import type { Hit } from './retrieve.js';

const hit = (id: string, text: string, score: number): Hit => ({
  chunk: { id, key: 1, source: `${id}.md`, headings: [], text, start: 0, end: text.length },
  score,
});
const HITS = [hit('a', 'GRUB reads grub.cfg', 0.03), hit('b', 'apt update refreshes package lists', 0.02), hit('c', 'unrelated', 0.01)];

describe('rerankers', () => {
  it('a /rerank endpoint reorders by relevance_score; a failing one leaves the fused order', async () => {
    const bodies: unknown[] = [];
    let fail = false;
    const server = createServer(async (req, res) => {
      let raw = '';
      for await (const c of req) raw += c;
      bodies.push(JSON.parse(raw));
      if (fail) return res.writeHead(500).end('{}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          results: [
            { index: 1, relevance_score: 0.9 },
            { index: 0, relevance_score: 0.2 },
            { index: 2, relevance_score: 0.1 },
          ],
        }),
      );
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = endpointReranker(url, 'bge-reranker');
      const out = await r.rerank('how to refresh package lists', HITS);
      expect(out.map((h) => [h.chunk.id, h.score])).toEqual([
        ['b', 0.9],
        ['a', 0.2],
        ['c', 0.1],
      ]);
      expect(bodies[0]).toEqual({ model: 'bge-reranker', query: 'how to refresh package lists', documents: HITS.map((h) => h.chunk.text) });
      fail = true;
      expect((await r.rerank('q', HITS)).map((h) => h.chunk.id)).toEqual(['a', 'b', 'c']);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });

  it('the LLM reranker scores each passage 0–10 and sorts stably', async () => {
    const peer = await startOpenAIPeer((r) => (r.prompt.includes('apt update') ? '9' : r.prompt.includes('GRUB') ? '3' : 'no idea'));
    try {
      const out = await llmReranker(new OpenAIProvider({ baseUrl: peer.url, model: 'judge' })).rerank('refresh package lists', HITS);
      expect(out.map((h) => [h.chunk.id, h.score])).toEqual([
        ['b', 9],
        ['a', 3],
        ['c', -1],
      ]);
    } finally {
      await peer.close();
    }
  });
});
