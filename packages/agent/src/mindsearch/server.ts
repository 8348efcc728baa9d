import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { type MindSearchOptions, mindSearch } from './mindSearch.js';

/**
 * `POST /solve` {question} → Server-Sent Events, one per SearchEvent (`event:` is its type,
 * `data:` its JSON), ending with `final` — the endpoint MindSearch's front end reads, for the
 * Studio page to mount. A client that disconnects aborts the run.
 */
export function mindSearchApp(opts: MindSearchOptions): Hono {
  const app = new Hono();
  app.post('/solve', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { question?: unknown; inputs?: unknown };
    const question = typeof body.question === 'string' ? body.question : typeof body.inputs === 'string' ? body.inputs : '';
    if (!question.trim()) return c.json({ error: { code: 'AGENT_BAD_INPUT', message: 'POST /solve needs {"question": "..."}.' } }, 400);
    return streamSSE(c, async (stream) => {
      const ac = new AbortController();
      stream.onAbort(() => ac.abort());
      try {
        for await (const e of mindSearch(question, opts, ac.signal)) await stream.writeSSE({ event: e.type, data: JSON.stringify(e) });
      } catch (e) {
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ type: 'error', message: (e as Error).message }) });
      }
    });
  });
  return app;
}
