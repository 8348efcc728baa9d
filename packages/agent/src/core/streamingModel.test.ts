import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InternLM2Protocol } from '../protocols/internlm2.js';
import { OpenAIProtocol } from '../protocols/openai.js';
import { Agent } from './agent.js';
import { openAIStreamingModel } from './streamingModel.js';
import { defineTool } from './tool.js';
import type { AgentEvent } from './types.js';

// A fake OpenAI server on 127.0.0.1 that streams its answers as server-sent events, 80 ms apart,
// with markers and JSON split across events: the agent's text events must arrive while the
// model is still answering, and the split calls must be read whole.
const add = defineTool({ name: 'add', description: 'Add', input: z.object({ a: z.number(), b: z.number() }), run: ({ a, b }) => a + b });
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
let base = '';
let chatTurn = 0;
let completionTurn = 0;
async function send(res: ServerResponse, events: unknown[]) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const e of events) {
    res.write(`data: ${JSON.stringify(e)}\n\n`);
    await sleep(80);
  }
  res.end('data: [DONE]\n\n');
}
const server = createServer(async (req, res) => {
  for await (const _ of req) {
    // drain the body
  }
  if (req.url === '/v1/chat/completions') {
    const delta = (d: unknown) => ({ choices: [{ index: 0, delta: d }] });
    if (chatTurn++ % 2 === 0) {
      return send(res, [
        delta({ content: 'Let me ' }),
        delta({ content: 'add.' }),
        delta({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'add', arguments: '{"a": 2,' } }] }),
        delta({ tool_calls: [{ index: 0, function: { arguments: ' "b": 3}' } }] }),
      ]);
    }
    return send(res, [delta({ content: 'The answer ' }), delta({ content: 'is ' }), delta({ content: '5.' })]);
  }
  if (req.url === '/v1/completions') {
    const text = (t: string) => ({ choices: [{ index: 0, text: t }] });
    if (completionTurn++ % 2 === 0)
      return send(res, [
        text('Adding.<|action_'),
        text('start|><|plu'),
        text('gin|>\n{"name": "add", "para'),
        text('meters": {"a": 1, "b": 1}}'),
      ]);
    return send(res, [text('Two'), text('.<|im_'), text('end|>')]);
  }
  if (req.url === '/broken/v1/chat/completions') return res.writeHead(503).end('overloaded');
  res.writeHead(404).end();
});
beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

async function timed(agent: Agent, input: string) {
  const events: (AgentEvent & { at: number })[] = [];
  for await (const e of agent.stream(input)) events.push({ ...e, at: Date.now() });
  return events;
}

describe('streaming model', () => {
  it('OpenAI protocol: text events arrive as the model streams, call deltas are assembled', async () => {
    const agent = new Agent({ model: openAIStreamingModel({ baseUrl: base, model: 'm' }), protocol: new OpenAIProtocol(), tools: [add] });
    const events = await timed(agent, '2+3?');
    const texts = events.filter((e) => e.type === 'text');
    expect(texts.map((e) => (e as { text: string }).text)).toEqual(['Let me ', 'add.', 'The answer ', 'is ', '5.']);
    // the last two text events of the answer are ~80 ms apart: they were not buffered to the end
    expect((texts[4]?.at ?? 0) - (texts[2]?.at ?? 0)).toBeGreaterThan(100);
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({ result: { ok: true, content: '5' } });
    expect(events.at(-1)).toMatchObject({ type: 'final', state: { status: 'answered', answer: 'The answer is 5.' } });
  });

  it('InternLM2 protocol over streamed completions: markers split across events', async () => {
    const agent = new Agent({
      model: openAIStreamingModel({ baseUrl: `${base}/v1`, model: 'm' }),
      protocol: new InternLM2Protocol(),
      tools: [add],
    });
    const events = await timed(agent, '1+1?');
    expect(
      events
        .filter((e) => e.type === 'text')
        .map((e) => (e as { text: string }).text)
        .join('|'),
    ).toBe('Adding.|Two|.');
    expect(events.find((e) => e.type === 'tool_call')).toMatchObject({ call: { name: 'add', arguments: { a: 1, b: 1 } } });
    expect(events.at(-1)).toMatchObject({ state: { status: 'answered', answer: 'Two.' } });
  });

  it('an HTTP error ends the run with status error and a coded reason', async () => {
    const agent = new Agent({
      model: openAIStreamingModel({ baseUrl: `${base}/broken`, model: 'm', maxRetries: 0 }),
      protocol: new OpenAIProtocol(),
    });
    const state = await agent.run('hi');
    expect(state).toMatchObject({ status: 'error', error: { code: 'AGENT_MODEL_FAILED', message: /HTTP 503: overloaded/ } });
  });
});
