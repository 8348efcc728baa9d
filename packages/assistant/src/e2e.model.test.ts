import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalServer, localModelStarter } from '@puyu/client';
import { makeToolModel } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbedder } from './embedder.js';
import { serveAssistant } from './http.js';
import { ingestFolder } from './ingest.js';
import { openKnowledgeBase } from './knowledgeBase.js';
import { AssistantService } from './service.js';

// End to end, offline: `puyu serve` (started through @puyu/client's local: starter) serves
// @puyu/testing's tiny InternLM2 (trained here in seconds), which provides both /v1/embeddings
// and chat. The tiny model knows nothing about Debian, so what is checked is the plumbing and the
// pipeline's behaviour around a real model: vectors of the served size land in the index, every
// LLM step runs and is logged with its score or its "no score" fallback, and the decision is
// well-formed either way. Answer quality is the benchmark's business, not this test's.
let server: LocalServer;
let dir: string;
let spec: string;
beforeAll(async () => {
  const m = await makeToolModel();
  server = await localModelStarter()(m.gguf);
  spec = `${server.url}@${server.model}`;
  dir = await mkdtemp(join(tmpdir(), 'puyu-assistant-e2e-'));
  await mkdir(join(dir, 'docs'));
  await writeFile(join(dir, 'docs', 'apt.md'), '# APT\n\nRun apt update to refresh the package lists, then apt upgrade.\n');
  await writeFile(join(dir, 'docs', 'weather.md'), '# Weather\n\nThe weather in Shanghai is usually mild in spring.\n');
}, 600_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('assistant on a served model', () => {
  it('ingests with served embeddings, calibrates, and runs the full pipeline and the HTTP API', async () => {
    const embedder = await openEmbedder(spec);
    const report = await ingestFolder(join(dir, 'docs'), join(dir, 'kb'), { embedder, quiet: true });
    await embedder.close();
    expect(report).toMatchObject({ chunks: 2, vectors: 2 });

    const kb = await openKnowledgeBase(join(dir, 'kb'), { model: spec });
    try {
      expect(kb.defaultRetriever).toBe('hybrid');
      const cal = await kb.calibrate(
        ['How do I refresh the package lists with apt?', 'What is the weather in Shanghai?'],
        ['Who wrote Hamlet?', 'What is 2 + 2?'],
      );
      expect(Object.keys(cal).sort()).toEqual(['bm25', 'dense', 'hybrid']);
      for (const c of Object.values(cal)) expect(c.curve.length).toBeGreaterThan(0);

      const r = await kb.retrieve('What is the weather in Shanghai?', 'dense');
      expect(r.hits.length).toBe(2);
      expect(Math.abs(r.score)).toBeLessThanOrEqual(1.0001);

      // The full pipeline against the real served chat model, with a history so coreference runs too.
      const d = await kb.decide('What is the weather there?', { history: [{ role: 'user', content: 'Tell me about Shanghai.' }] });
      console.log(JSON.stringify({ decision: d.decision, reason: d.reason, answer: d.answer, log: d.log }));
      const steps = d.log.map((l) => l.step);
      expect(steps.slice(0, 3)).toEqual(['preprocess', 'is_question', 'coreference']);
      expect(['answer', 'reject']).toContain(d.decision);
      expect(d.reason.length).toBeGreaterThan(0);
      if (d.decision === 'answer') expect(d.citations?.length).toBeGreaterThan(0);

      // A question calibration marked good passes retrieval, so the LLM relevance, answer and security steps run.
      const good = await kb.decide('How do I refresh the package lists with apt?');
      console.log(JSON.stringify({ decision: good.decision, reason: good.reason, answer: good.answer, log: good.log }));
      expect(good.log.find((l) => l.step === 'retrieval')?.passed).toBe(true);
      expect(good.log.map((l) => l.step)).toContain('relevance');
      if (good.decision === 'answer') expect(good.log.at(-1)).toMatchObject({ step: 'security', passed: true });
      // The tiny tool model tends to emit a get_weather call: that must be refused as "not an answer", never passed on.
      else expect(good.reason).toMatch(/refused/);

      const http = await serveAssistant(new AssistantService(kb), { port: 0 });
      try {
        const res = await fetch(`${http.url}/v1/ask`, {
          method: 'POST',
          body: JSON.stringify({ question: 'How do I refresh the package lists?', retrievalOnly: true }),
        });
        const body = (await res.json()) as { retriever: string; calibrated: boolean; decision: string };
        expect(body).toMatchObject({ retriever: 'hybrid', calibrated: true });
        expect(['answer', 'reject']).toContain(body.decision);
      } finally {
        await http.close();
      }
    } finally {
      await kb.close();
    }
  }, 600_000);
});
