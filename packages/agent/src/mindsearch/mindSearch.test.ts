import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAIProvider } from '@puyu/client';
import { type PeerRequest, startOpenAIPeer } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerModel } from '../core/model.js';
import { LocalSearch } from '../search/localSearch.js';
import { ASTREL_QUESTION, astrelScriptedReply, writeAstrelWeb } from './astrelWeb.js';
import { type SearchEvent, solve } from './mindSearch.js';
import { mindSearchApp } from './server.js';

// MindSearch offline: a local web of generated pages about a made-up country (so no model could
// know the answers), the local BM25 backend, and a scripted OpenAI-compatible peer that plans,
// picks results and answers by quoting the sources it is shown (astrelWeb.ts, shared with the
// Studio's MindSearch page test). Every request is delayed, so searchers that run in parallel
// visibly overlap.
const QUESTION = ASTREL_QUESTION;
const scriptedReply = (r: PeerRequest) => astrelScriptedReply(r);

let dir = '';
let peer: Awaited<ReturnType<typeof startOpenAIPeer>>;
let local: LocalSearch;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'puyu-mindsearch-web-'));
  writeAstrelWeb(dir);
  local = await LocalSearch.fromFolder(dir);
  peer = await startOpenAIPeer((r) => ({ delayMs: 250, reply: scriptedReply(r) }));
});
afterAll(() => peer.close());

const options = () => ({
  model: providerModel(new OpenAIProvider({ baseUrl: peer.url, model: 'scripted' })),
  search: local,
  reader: local,
  readLimit: 2,
});

describe('MindSearch offline', () => {
  it('plans (after a retry), runs independent searchers in parallel and cites real pages', async () => {
    const events: (SearchEvent & { receivedAt: number })[] = [];
    const result = await solve(QUESTION, options(), (e) => events.push({ ...e, receivedAt: Date.now() }));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('plan_error');
    const plan = events.find((e) => e.type === 'plan');
    expect(plan).toMatchObject({ attempts: 2, repairs: ['dropped edge q9→q2: unknown node', 'linked q2 to root'] });
    expect(types.filter((t) => t === 'node_answer')).toHaveLength(3);
    expect(types.at(-1)).toBe('final');

    // q1 and q2 do not depend on each other: their searchers overlap in time; q3 waits for q1.
    const span = (id: string) => {
      const start = events.find((e) => e.type === 'node_start' && e.node === id) as { at: number };
      const end = events.find((e) => e.type === 'node_answer' && e.node === id) as { at: number };
      return [start.at, end.at] as const;
    };
    const [s1, e1] = span('q1');
    const [s2, e2] = span('q2');
    const [s3] = span('q3');
    const overlap = Math.min(e1, e2) - Math.max(s1, s2);
    console.log(`searchers q1/q2 overlap: ${overlap} ms of ${e1 - s1} / ${e2 - s2} ms`);
    expect(overlap).toBeGreaterThan(400); // each searcher makes ≥ 2 requests of 250 ms
    expect(s3).toBeGreaterThanOrEqual(e1);
    // The events streamed as they happened, not all at the end.
    expect(events.at(-1)!.receivedAt - events.find((e) => e.type === 'node_start')!.receivedAt).toBeGreaterThan(500);

    // Every citation points at a real page that contains the cited sentence.
    expect(result.references.map((r) => r.id)).toEqual(result.references.map((_, i) => i + 1));
    const cited = [...result.answer.matchAll(/([^.]+\.)\s*((?:\[\[\d+\]\])+)/g)];
    expect(cited.length).toBe(3);
    for (const [, sentence, marks] of cited) {
      for (const n of [...(marks as string).matchAll(/\d+/g)].map((m) => Number(m[0]))) {
        const ref = result.references.find((r) => r.id === n);
        expect(ref, `citation [[${n}]] has a reference`).toBeDefined();
        const html = readFileSync(fileURLToPath(ref!.url), 'utf8');
        expect(html).toContain((sentence as string).trim());
      }
    }
    expect(result.answer).toContain('Veloria has a population of 2.4 million people.');
    expect(result.answer).toContain('Brennholt is the largest port of Astrel.');
    expect(result.graph.nodes.every((n) => n.status === 'done')).toBe(true);
  });

  it('POST /solve streams the graph as server-sent events', async () => {
    const app = mindSearchApp(options());
    const res = await app.request('/solve', {
      method: 'POST',
      body: JSON.stringify({ question: QUESTION }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const arrivals: { event: string; at: number }[] = [];
    let buffer = '';
    let finalData: { answer: string; references: unknown[] } | undefined;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1] ?? '';
        arrivals.push({ event, at: Date.now() });
        if (event === 'final') finalData = JSON.parse(/^data: (.+)$/m.exec(block)?.[1] ?? '{}');
        cut = buffer.indexOf('\n\n');
      }
    }
    expect(arrivals.map((a) => a.event)).toContain('node_start');
    expect(arrivals.at(-1)?.event).toBe('final');
    expect(arrivals.at(-1)!.at - arrivals.find((a) => a.event === 'plan')!.at).toBeGreaterThan(500);
    expect(finalData?.references.length).toBeGreaterThan(0);
    const bad = await app.request('/solve', { method: 'POST', body: '{}' });
    expect(bad.status).toBe(400);
  });

  it('a later planning round adds a node that builds on an answer', async () => {
    const planner = await startOpenAIPeer((r) => {
      const messages = r.body.messages as { role: string; content: string }[];
      const user = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      if (messages.some((m) => m.role === 'system')) return scriptedReply(r);
      if (user.includes('You plan web research'))
        return '{"nodes": [{"id": "q1", "question": "What is the capital of Astrel?"}], "edges": []}';
      if (user.startsWith('These sub-questions have been searched') && user.includes('Veloria is the capital'))
        return messages.filter((m) => m.role === 'user').length === 2
          ? '{"nodes": [{"id": "q2", "question": "When was Veloria founded?"}], "edges": [["q1", "q2"]]}'
          : '{"nodes": []}';
      return '[1, 2]';
    });
    try {
      const events: SearchEvent[] = [];
      const result = await solve(
        'When was the capital of Astrel founded?',
        { ...options(), model: providerModel(new OpenAIProvider({ baseUrl: planner.url, model: 's' })), rounds: 3 },
        (e) => events.push(e),
      );
      const plans = events.filter((e) => e.type === 'plan');
      expect(plans.map((p) => p.graph.nodes.map((n) => n.id))).toEqual([['q1'], ['q1', 'q2']]);
      expect(plans[1]).toMatchObject({
        round: 2,
        graph: {
          edges: [
            ['root', 'q1'],
            ['q1', 'q2'],
          ],
        },
      });
      const q1Answer = events.find((e) => e.type === 'node_answer' && e.node === 'q1') as { at: number };
      const q2Start = events.find((e) => e.type === 'node_start' && e.node === 'q2') as { at: number };
      expect(q2Start.at).toBeGreaterThanOrEqual(q1Answer.at);
      expect(result.answer).toContain('The city was founded in 1204 by river traders.');
      expect(result.graph.nodes.map((n) => n.status)).toEqual(['done', 'done']);
    } finally {
      await planner.close();
    }
  });

  it('a model that never writes a usable plan still gets an answer from one node', async () => {
    const stubborn = await startOpenAIPeer((r) => {
      const messages = r.body.messages as { role: string; content: string }[];
      const system = messages.find((m) => m.role === 'system')?.content ?? '';
      if (system) return scriptedReply(r);
      if (r.prompt.includes('Which results')) return '[1]';
      return 'I cannot make plans.';
    });
    try {
      const events: SearchEvent[] = [];
      const result = await solve(
        'What is the largest port of Astrel?',
        { ...options(), model: providerModel(new OpenAIProvider({ baseUrl: stubborn.url, model: 's' })) },
        (e) => events.push(e),
      );
      expect(events.filter((e) => e.type === 'plan_error')).toHaveLength(3);
      expect(events.find((e) => e.type === 'plan')).toMatchObject({ fallback: { code: 'AGENT_PLAN_FAILED' } });
      expect(result.answer).toContain('Brennholt is the largest port of Astrel.');
    } finally {
      await stubborn.close();
    }
  });
});
