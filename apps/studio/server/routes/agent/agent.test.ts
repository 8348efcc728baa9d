import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ASTREL_QUESTION, astrelScriptedReply, writeAstrelWeb } from '@puyu/agent/testing';
import { startOpenAIPeer } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { createStudioApp } from '../../app.js';

// The agent stage's API without a browser: refusals are coded 400s, the local page route stays in
// its folder, and /solve and /run stream @puyu/agent's own events.
const runs = mkdtempSync(join(tmpdir(), 'puyu-studio-agent-api-'));
const web = mkdtempSync(join(tmpdir(), 'puyu-studio-agent-web-'));
writeAstrelWeb(web);
writeFileSync(join(runs, 'secret.txt'), 'not a page of the search folder');
const app = createStudioApp({ runsDir: runs, endpoints: ['http://127.0.0.1:9/v1'], web: runs });
const post = (path: string, body: unknown) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const events = (text: string) => [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);

describe('/api/agent', () => {
  it('refuses unknown tools and protocols, a missing search folder and a non-URL endpoint with coded 400s', async () => {
    for (const body of [
      { tools: ['rm'], input: 'x' },
      { protocol: 'telepathy', input: 'x' },
      { tools: ['search'], docs: join(web, 'nope'), input: 'x' },
      { endpoint: 'file:///etc', input: 'x' },
    ]) {
      const res = await post('/api/agent/run', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('STUDIO_BAD_REQUEST');
    }
    expect((await post('/api/agent/solve', { question: 'q', docs: '' })).status).toBe(400);
  });

  it('serves a cited local page, and nothing outside the search folder', async () => {
    const page = pathToFileURL(join(web, 'brennholt.html')).href;
    const ok = await app.request(`/api/agent/doc?docs=${encodeURIComponent(web)}&url=${encodeURIComponent(page)}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Brennholt is the largest port of Astrel.');
    expect(ok.headers.get('content-security-policy')).toBe('sandbox');
    for (const url of [pathToFileURL(join(runs, 'secret.txt')).href, `${pathToFileURL(web).href}/../secret.txt`, 'http://example.com/']) {
      const res = await app.request(`/api/agent/doc?docs=${encodeURIComponent(web)}&url=${encodeURIComponent(url)}`);
      expect(res.status, url).toBe(400);
    }
  });

  it('POST /solve streams the MindSearch events to the final answer; POST /run ends an unreachable model with an error state', async () => {
    const peer = await startOpenAIPeer((r) => astrelScriptedReply(r));
    try {
      const res = await post('/api/agent/solve', { endpoint: peer.url, model: 's', docs: web, question: ASTREL_QUESTION });
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const body = await res.text();
      const got = events(body);
      expect(got).toContain('plan');
      expect(got.filter((e) => e === 'node_answer')).toHaveLength(3);
      expect(got.at(-1)).toBe('final');
    } finally {
      await peer.close();
    }
    const run = await post('/api/agent/run', { endpoint: 'http://127.0.0.1:9/v1', model: 'm', tools: ['calculator'], input: '2+2?' });
    const text = await run.text();
    expect(events(text).at(-1)).toBe('final');
    expect(text).toMatch(/"status":"error"/);
    expect(text).toMatch(/AGENT_MODEL_FAILED/);
  });

  it('POST /run runs the tools the page picked: sandboxed Python and local search, each result streamed back', async () => {
    // A fake streaming OpenAI endpoint: first both calls in one turn, then the answer.
    let turn = 0;
    const fake = createServer(async (req, res) => {
      for await (const _ of req) {
        // drain the body
      }
      const delta = (d: unknown) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: d }] })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (turn++ === 0) {
        res.write(delta({ content: 'Two tools.' }));
        res.write(
          delta({
            tool_calls: [
              { index: 0, id: 'p1', type: 'function', function: { name: 'IPythonInterpreter', arguments: '{"command": "print(6*7)"}' } },
            ],
          }),
        );
        res.write(
          delta({
            tool_calls: [{ index: 1, id: 's1', type: 'function', function: { name: 'search', arguments: '{"query": "largest port"}' } }],
          }),
        );
      } else res.write(delta({ content: 'Done.' }));
      res.end('data: [DONE]\n\n');
    });
    await new Promise<void>((ok) => fake.listen(0, '127.0.0.1', ok));
    try {
      const endpoint = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`;
      const res = await post('/api/agent/run', { endpoint, model: 'fake', tools: ['python', 'search'], docs: web, input: 'go' });
      const results = [...(await res.text()).matchAll(/^event: tool_result\ndata: (.+)$/gm)].map(
        (m) => (JSON.parse(m[1] as string) as { result: { name: string; ok: boolean; content: string } }).result,
      );
      expect(results.find((r) => r.name === 'IPythonInterpreter')).toMatchObject({ ok: true, content: expect.stringContaining('42') });
      expect(results.find((r) => r.name === 'search')).toMatchObject({ ok: true, content: expect.stringContaining('brennholt.html') });
    } finally {
      await new Promise<void>((ok) => fake.close(() => ok()));
    }
  });
});
