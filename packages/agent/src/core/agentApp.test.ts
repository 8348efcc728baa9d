import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAIProtocol } from '../protocols/openai.js';
import { Agent } from './agent.js';
import { agentApp } from './agentApp.js';
import type { AgentModel, ModelChunk } from './model.js';
import { defineTool } from './tool.js';

const echo = defineTool({ name: 'echo', description: 'echo', input: z.object({ text: z.string() }), run: ({ text }) => text });

/** Calls echo once per user turn, then answers with how many user turns it has seen. */
const model: AgentModel = {
  id: 'm',
  async *chat(req) {
    const last = req.messages.at(-1);
    const users = req.messages.filter((m) => m.role === 'user').length;
    if (last?.role === 'tool') yield { text: `turns seen: ${users}` } as ModelChunk;
    else yield { toolCalls: [{ index: 0, id: `c${users}`, name: 'echo', arguments: '{"text":"hi"}' }] };
  },
  complete: () => {
    throw new Error('not used');
  },
};

async function sse(res: Response): Promise<{ event: string; data: { type: string; [k: string]: unknown } }[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.trim())
    .map((b) => ({ event: /^event: (.+)$/m.exec(b)?.[1] ?? '', data: JSON.parse(/^data: (.+)$/m.exec(b)?.[1] ?? '{}') }));
}

describe('agentApp: POST /run as server-sent events', () => {
  it('streams every action and result and keeps a session', async () => {
    const app = agentApp(new Agent({ model, protocol: new OpenAIProtocol(), tools: [echo], systemPrompt: 'sys' }));
    const post = (input: string) =>
      app.request('/run', {
        method: 'POST',
        body: JSON.stringify({ input, session: 's1' }),
        headers: { 'content-type': 'application/json' },
      });
    const first = await sse(await post('hello'));
    expect(first.map((e) => e.event)).toEqual(['turn_start', 'tool_call', 'tool_result', 'turn_start', 'text', 'final']);
    expect(first.at(-1)?.data).toMatchObject({ state: { status: 'answered', answer: 'turns seen: 1' } });
    const second = await sse(await post('again'));
    expect(second.at(-1)?.data).toMatchObject({ state: { answer: 'turns seen: 2' } });
    expect((await app.request('/sessions/s1', { method: 'DELETE' })).status).toBe(200);
    expect((await sse(await post('fresh'))).at(-1)?.data).toMatchObject({ state: { answer: 'turns seen: 1' } });
    expect((await app.request('/run', { method: 'POST', body: '{}' })).status).toBe(400);
  });
});
