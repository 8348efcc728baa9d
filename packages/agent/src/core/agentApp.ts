import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Agent } from './agent.js';
import { SessionMemory } from './memory.js';

/**
 * `POST /run` {input, session?} → Server-Sent Events, one per AgentEvent (`event:` its type,
 * `data:` its JSON), ending with `final`: what an agent chat page needs to show each action and
 * result as it happens. A `session` id keeps the conversation (per-session memory, within the
 * memory options' token budget); `DELETE /sessions/:id` forgets one. A client that disconnects
 * stops the run.
 */
export function agentApp(agent: Agent, opts: { memory?: SessionMemory } = {}): Hono {
  const sessions = opts.memory ?? new SessionMemory();
  const app = new Hono();
  app.post('/run', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { input?: unknown; session?: unknown };
    if (typeof body.input !== 'string' || !body.input.trim()) {
      return c.json({ error: { code: 'AGENT_BAD_INPUT', message: 'POST /run needs {"input": "...", "session": optional id}.' } }, 400);
    }
    const input = body.input;
    const memory = typeof body.session === 'string' ? sessions.get(body.session) : undefined;
    return streamSSE(c, async (stream) => {
      const ac = new AbortController();
      stream.onAbort(() => ac.abort());
      for await (const e of agent.stream(input, { memory, signal: ac.signal }))
        await stream.writeSSE({ event: e.type, data: JSON.stringify(e) });
    });
  });
  app.delete('/sessions/:id', (c) => c.json({ deleted: sessions.delete(c.req.param('id')) }));
  return app;
}
