import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InternLM2Protocol } from '../protocols/internlm2.js';
import { OpenAIProtocol } from '../protocols/openai.js';
import { ReActProtocol } from '../protocols/react.js';
import { pythonInterpreterTool } from '../tools/pythonSandbox.js';
import { Agent, agentAsTool } from './agent.js';
import { ActionExecutor } from './executor.js';
import { Memory } from './memory.js';
import type { AgentModel, ModelChunk } from './model.js';
import { defineTool, type Tool, toolParameters } from './tool.js';
import type { AgentEvent } from './types.js';

/** A model that answers from a script, one entry per request, and records what it was sent. */
function scripted(replies: ModelChunk[][]): AgentModel & { requests: unknown[] } {
  const requests: unknown[] = [];
  let i = 0;
  const next = async function* (req: unknown) {
    requests.push(req);
    const reply = replies[i++];
    if (!reply) throw new Error('script exhausted');
    yield* reply;
  };
  return { id: 'scripted', requests, chat: (req) => next(req), complete: (req) => next(req) };
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const add = defineTool({
  name: 'add',
  description: 'Add two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  run: ({ a, b }) => ({ sum: a + b }),
});

describe('tools', () => {
  it('export their zod input as bare JSON Schema', () => {
    expect(toolParameters(add)).toEqual({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
  });
});

describe('ActionExecutor', () => {
  const slow = defineTool({
    name: 'slow',
    description: 'waits',
    input: z.object({ ms: z.number() }),
    run: async ({ ms }) => {
      await sleep(ms);
      return 'done';
    },
  });
  const boom = defineTool({
    name: 'boom',
    description: 'throws',
    input: z.object({}),
    run: () => {
      throw new Error('kaput');
    },
  });
  it('runs calls in parallel and turns every failure into a result', async () => {
    const ex = new ActionExecutor([slow, boom, add], { timeoutMs: 300 });
    const t0 = Date.now();
    const results = await ex.execute([
      { id: '1', name: 'slow', arguments: { ms: 150 } },
      { id: '2', name: 'slow', arguments: { ms: 150 } },
      { id: '3', name: 'slow', arguments: { ms: 5000 } },
      { id: '4', name: 'boom', arguments: {} },
      { id: '5', name: 'nope', arguments: {} },
      { id: '6', name: 'add', arguments: { a: 'x' } },
    ]);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(1500); // parallel, and the 5 s call was cut at 300 ms
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false, false, false]);
    expect(results[2]?.content).toMatch(/did not finish within 300 ms/);
    expect(results[3]?.content).toMatch(/boom failed: kaput/);
    expect(results[4]?.content).toMatch(/no tool named "nope".*add/);
    expect(results[5]?.content).toMatch(/invalid arguments for add: a:/);
    // the two 150 ms calls overlapped
    expect(Math.abs((results[0]?.startedAt ?? 0) - (results[1]?.startedAt ?? 0))).toBeLessThan(100);
  });
});

describe('Agent loop', () => {
  it('calls a tool, returns the result and ends with the answer (OpenAI protocol)', async () => {
    const model = scripted([
      [{ toolCalls: [{ index: 0, id: 'c1', name: 'add', arguments: '{"a": 2, "b": 3}' }] }],
      [{ text: 'The sum is 5.' }],
    ]);
    const events: AgentEvent[] = [];
    const agent = new Agent({ model, protocol: new OpenAIProtocol(), tools: [add], systemPrompt: 'Be brief.' });
    const state = await agent.run('2+3?', { onEvent: (e) => events.push(e) });
    expect(state.status).toBe('answered');
    expect(state.answer).toBe('The sum is 5.');
    expect(events.map((e) => e.type)).toEqual(['turn_start', 'tool_call', 'tool_result', 'turn_start', 'text', 'final']);
    expect(state.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
    const second = model.requests[1] as { messages: { role: string; content: string; tool_call_id?: string }[] };
    expect(second.messages.at(-1)).toEqual({ role: 'tool', content: '{"sum": 5}', tool_call_id: 'c1' });
  });

  it('sends a malformed call back as an error and recovers (InternLM2 protocol)', async () => {
    const model = scripted([
      [{ text: '<|action_start|><|plugin|>\n{"name": "add", "parameters": {"a": 2, "b": ' }],
      [{ text: '<|action_start|><|plugin|>\n{"name": "add", "parameters": {"a": 2, "b": 3}}' }],
      [{ text: 'It is 5.<|im_end|>' }],
    ]);
    const events: AgentEvent[] = [];
    const state = await new Agent({ model, protocol: new InternLM2Protocol(), tools: [add] }).run('2+3?', {
      onEvent: (e) => events.push(e),
    });
    expect(state.status).toBe('answered');
    expect(state.answer).toBe('It is 5.');
    expect(events.filter((e) => e.type === 'protocol_error')).toHaveLength(1);
    const second = (model.requests[1] as { prompt: string }).prompt;
    expect(second).toContain('<|im_start|>environment name=<|plugin|>\nError: your tool call could not be read');
    expect(second).toContain('"name": "add"'); // the plugin list
    const third = (model.requests[2] as { prompt: string }).prompt;
    expect(third).toContain('<|im_start|>environment name=<|plugin|>\n{"sum": 5}<|im_end|>');
  });

  it.skipIf(spawnSync('python3', ['--version']).status !== 0)(
    'runs an InternLM2 interpreter call in the Python sandbox and returns its output on the interpreter channel',
    async () => {
      const model = scripted([
        [{ text: 'Let me compute.<|action_start|><|interpreter|>\n```python\nprint(sum(i * i for i in range(10)))\n```' }],
        [{ text: 'The sum of squares is 285.<|im_end|>' }],
      ]);
      const state = await new Agent({
        model,
        protocol: new InternLM2Protocol(),
        tools: [pythonInterpreterTool({ timeoutMs: 5000 }) as Tool],
      }).run('sum of squares below 10?');
      expect(state).toMatchObject({ status: 'answered', answer: 'The sum of squares is 285.' });
      const first = (model.requests[0] as { prompt: string }).prompt;
      expect(first).toContain('<|im_start|>system name=<|interpreter|>\n');
      const second = (model.requests[1] as { prompt: string }).prompt;
      expect(second).toContain(
        '<|action_start|><|interpreter|>\n```python\nprint(sum(i * i for i in range(10)))\n```<|action_end|><|im_end|>',
      );
      expect(second).toContain('<|im_start|>environment name=<|interpreter|>\n285<|im_end|>');
    },
  );

  it('reads ReAct text and feeds observations back as user turns', async () => {
    const model = scripted([[{ text: 'Thought: add\nAction: add\nAction Input: {"a": 1, "b": 1}' }], [{ text: 'Final Answer: 2' }]]);
    const state = await new Agent({ model, protocol: new ReActProtocol(), tools: [add] }).run('1+1?');
    expect(state).toMatchObject({ status: 'answered', answer: '2', iterations: 2 });
    const second = model.requests[1] as { messages: { role: string; content: string }[] };
    expect(second.messages.at(-1)).toEqual({ role: 'user', content: 'Observation: {"sum": 2}' });
  });

  it('reads a bare JSON call in the text when the protocol markers were lost (weak fine-tunes)', async () => {
    const model = scripted([[{ text: 'Let me add.\uFFFD\n{"name": "add", "parameters": {"a": 1, "b": 2}}' }], [{ text: 'Three.' }]]);
    const state = await new Agent({ model, protocol: new OpenAIProtocol(), tools: [add] }).run('1+2?');
    expect(state.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(state.messages[1]).toMatchObject({ content: 'Let me add.', toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }] });
    // An object that names no known tool stays text.
    const plain = scripted([[{ text: 'Config: {"name": "other", "parameters": {}}' }]]);
    expect((await new Agent({ model: plain, protocol: new OpenAIProtocol(), tools: [add] }).run('x')).answer).toBe(
      'Config: {"name": "other", "parameters": {}}',
    );
  });

  it('stops at the iteration limit with a clear final state', async () => {
    const loop = Array.from({ length: 5 }, (_, i) => [{ toolCalls: [{ index: 0, id: `c${i}`, name: 'add', arguments: '{"a":1,"b":1}' }] }]);
    const state = await new Agent({ model: scripted(loop), protocol: new OpenAIProtocol(), tools: [add], maxIterations: 3 }).run('loop');
    expect(state).toMatchObject({ status: 'max_iterations', answer: '', iterations: 3 });
  });

  it('ends with status error when the model fails, and aborted when stopped', async () => {
    const failing: AgentModel = {
      id: 'x',
      // biome-ignore lint/correctness/useYield: a model that fails before answering
      chat: async function* () {
        throw Object.assign(new Error('down'), { code: 'AGENT_MODEL_FAILED' });
      },
      complete: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) }),
    };
    const state = await new Agent({ model: failing, protocol: new OpenAIProtocol() }).run('hi');
    expect(state).toMatchObject({ status: 'error', error: { code: 'AGENT_MODEL_FAILED' } });
    const ac = new AbortController();
    ac.abort();
    const aborted = await new Agent({ model: scripted([]), protocol: new OpenAIProtocol() }).run('hi', { signal: ac.signal });
    expect(aborted.status).toBe('aborted');
  });

  it('lets hooks rewrite calls and answer them without running the tool', async () => {
    const model = scripted([
      [
        { toolCalls: [{ index: 0, id: 'a', name: 'add', arguments: '{"a":1,"b":1}' }] },
        { toolCalls: [{ index: 1, id: 'b', name: 'add', arguments: '{"a":5,"b":5}' }] },
      ],
      [{ text: 'ok' }],
    ]);
    const agent = new Agent({
      model,
      protocol: new OpenAIProtocol(),
      tools: [add],
      hooks: {
        beforeTool: (call) =>
          call.id === 'b' ? { callId: 'b', name: 'add', ok: false, content: 'refused', durationMs: 0, startedAt: 0 } : undefined,
        afterTool: (r) => ({ ...r, content: `${r.content}!` }),
      },
    });
    const state = await agent.run('x');
    expect(state.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual(['{"sum": 2}!', 'refused!']);
  });

  it('runs a sub-agent as a tool', async () => {
    const child = new Agent({
      name: 'child',
      model: scripted([[{ toolCalls: [{ index: 0, id: 'x', name: 'add', arguments: '{"a":20,"b":22}' }] }], [{ text: '42' }]]),
      protocol: new OpenAIProtocol(),
      tools: [add],
    });
    const childEvents: AgentEvent[] = [];
    const parent = new Agent({
      model: scripted([
        [{ toolCalls: [{ index: 0, id: 'p', name: 'helper', arguments: '{"task":"add 20 and 22"}' }] }],
        [{ text: 'The helper says 42.' }],
      ]),
      protocol: new OpenAIProtocol(),
      tools: [agentAsTool(child, { name: 'helper', description: 'does sums', onEvent: (e) => childEvents.push(e) })],
    });
    const state = await parent.run('go');
    expect(state.answer).toBe('The helper says 42.');
    expect(state.messages.find((m) => m.role === 'tool')?.content).toBe('42');
    expect(childEvents.at(-1)).toMatchObject({ type: 'final', agent: 'child' });
  });
});

describe('InternLM2 rendering', () => {
  it('puts the system prompt, the plugin list and the turns in ChatML; BOS is optional', () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    expect(new InternLM2Protocol({ metaInstruction: null }).render(messages, [add])).toBe(
      '<s><|im_start|>system name=<|plugin|>\n[{"name": "add", "description": "Add two numbers", "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}}]<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(
      new InternLM2Protocol({ bosToken: '' })
        .render(messages, [])
        .startsWith('<|im_start|>system\nYou are an AI assistant whose name is InternLM'),
    ).toBe(true);
  });
});

describe('Memory', () => {
  it('keeps system turns and the newest groups within the token budget, never splitting a call from its results', () => {
    const m = new Memory({ tokenBudget: 40, countTokens: (t) => t.length });
    m.add({ role: 'system', content: 'sys' });
    m.add({ role: 'user', content: 'first question' });
    m.add({ role: 'assistant', content: '', toolCalls: [{ id: '1', name: 'add', arguments: {} }] });
    m.add({ role: 'tool', content: 'r', toolCallId: '1', name: 'add' });
    m.add({ role: 'user', content: 'second' });
    const window = m.messages();
    expect(window.map((x) => x.role)).toEqual(['system', 'assistant', 'tool', 'user']);
    expect(m.history()).toHaveLength(5);
  });
});
