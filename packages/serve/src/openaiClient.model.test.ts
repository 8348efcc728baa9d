import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { CITIES, GREETING, GREETING_REPLY, makeToolModel, SYSTEM, WEATHER_TOOL } from '@puyu/testing';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './startServer.js';
import { startServer } from './startServer.js';

// The official OpenAI client and the AI SDK's OpenAI-compatible provider against a real server
// serving a real tiny InternLM2 that learnt to call `get_weather` through the plugin protocol.
let server: RunningServer;
let client: OpenAI;
const tools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, parameters: WEATHER_TOOL.parameters } },
];
const weather = (city: string): OpenAI.ChatCompletionMessageParam[] => [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: `What is the weather in ${city}?` },
];

beforeAll(async () => {
  const m = await makeToolModel();
  server = await startServer({
    model: m.gguf,
    modelName: 'puyu-tool-tiny',
    port: 0,
    sequences: 4,
    contextSize: 512,
    threads: 1,
    apiKeys: ['sk-test'],
  });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
});

describe('openai client', () => {
  it('lists the model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['puyu-tool-tiny']);
  });

  it('chat: plain text answer', async () => {
    const r = await client.chat.completions.create({
      model: 'puyu-tool-tiny',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: GREETING },
      ],
      temperature: 0,
    });
    expect(r.choices[0].message.content).toBe(GREETING_REPLY);
    expect(r.choices[0].finish_reason).toBe('stop');
    expect(r.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('chat: streaming text concatenates to the non-streaming answer', async () => {
    const stream = await client.chat.completions.create({
      model: 'puyu-tool-tiny',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: GREETING },
      ],
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(GREETING_REPLY);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('tools: the plugin call comes back as OpenAI tool_calls', async () => {
    for (const city of CITIES) {
      const r = await client.chat.completions.create({ model: 'puyu-tool-tiny', messages: weather(city), tools, temperature: 0 });
      const choice = r.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.tool_calls).toHaveLength(1);
      const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(call.type).toBe('function');
      expect(call.id).toMatch(/^call_/);
      expect(call.function.name).toBe('get_weather');
      expect(JSON.parse(call.function.arguments)).toEqual({ location: city });
    }
  });

  it('tools: streaming tool_calls deltas accumulate to the same call', async () => {
    const stream = await client.chat.completions.create({
      model: 'puyu-tool-tiny',
      messages: weather('Beijing'),
      tools,
      temperature: 0,
      stream: true,
    });
    const calls = new Map<number, { id?: string; name: string; args: string }>();
    let finish: string | null = null;
    let content = '';
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta;
      content += d?.content ?? '';
      for (const tc of d?.tool_calls ?? []) {
        const cur = calls.get(tc.index) ?? { name: '', args: '' };
        cur.id ??= tc.id;
        cur.name += tc.function?.name ?? '';
        cur.args += tc.function?.arguments ?? '';
        calls.set(tc.index, cur);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(content).not.toContain('<|');
    expect([...calls.values()].map((c) => ({ name: c.name, args: JSON.parse(c.args) }))).toEqual([
      { name: 'get_weather', args: { location: 'Beijing' } },
    ]);
  });

  it('tools: tool_choice naming a function forces the call', async () => {
    const r = await client.chat.completions.create({
      model: 'puyu-tool-tiny',
      messages: weather('Shanghai'),
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      temperature: 0,
    });
    const call = r.choices[0].message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall | undefined;
    expect(call?.function.name).toBe('get_weather');
    expect(JSON.parse(call?.function.arguments ?? '{}')).toEqual({ location: 'Shanghai' });
    // "required": the assistant turn starts with the plugin markers, the model writes the call.
    const req = await client.chat.completions.create({
      model: 'puyu-tool-tiny',
      messages: weather('Beijing'),
      tools,
      tool_choice: 'required',
      temperature: 0,
    });
    expect(req.choices[0].finish_reason).toBe('tool_calls');
    // "none": tools are not offered, so no call can be parsed out.
    const none = await client.chat.completions.create({
      model: 'puyu-tool-tiny',
      messages: weather('Beijing'),
      tools,
      tool_choice: 'none',
      temperature: 0,
      max_tokens: 30,
    });
    expect(none.choices[0].message.tool_calls ?? []).toEqual([]);
  });

  it('response_format json_schema: output parses and matches the schema', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string', enum: ['Shanghai', 'Beijing'] }, days: { type: 'integer' } },
      required: ['city', 'days'],
      additionalProperties: false,
    };
    const r = await client.chat.completions.create({
      model: 'puyu-tool-tiny',
      messages: weather('Shanghai'),
      response_format: { type: 'json_schema', json_schema: { name: 'forecast', schema, strict: true } },
      max_tokens: 60,
      temperature: 0.8,
      seed: 3,
    });
    const parsed = JSON.parse(r.choices[0].message.content ?? '');
    expect(['Shanghai', 'Beijing']).toContain(parsed.city);
    expect(Number.isInteger(parsed.days)).toBe(true);
    expect(Object.keys(parsed).sort()).toEqual(['city', 'days']);
  });

  it('response_format json_object: output is JSON', async () => {
    const r = await client.chat.completions.create({
      model: 'puyu-tool-tiny',
      messages: weather('Beijing'),
      response_format: { type: 'json_object' },
      max_tokens: 40,
      temperature: 0.7,
      seed: 1,
    });
    const content = r.choices[0].message.content ?? '';
    if (r.choices[0].finish_reason === 'stop') expect(() => JSON.parse(content)).not.toThrow();
    else
      expect(content.trimStart().startsWith('{') || content.trimStart().startsWith('[') || content.trimStart().startsWith('"')).toBe(true);
  });

  it('n, seed, logprobs/top_logprobs', async () => {
    const r = await client.chat.completions.create({
      model: 'puyu-tool-tiny',
      messages: weather('Shanghai'),
      n: 3,
      temperature: 1.5,
      seed: 11,
      max_tokens: 8,
      logprobs: true,
      top_logprobs: 3,
    });
    expect(r.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    for (const c of r.choices) {
      const lp = c.logprobs?.content ?? [];
      expect(lp.length).toBeGreaterThan(0);
      for (const e of lp) {
        expect(e.logprob).toBeLessThanOrEqual(0);
        expect(e.top_logprobs.length).toBeLessThanOrEqual(3);
        expect(e.top_logprobs.length).toBeGreaterThan(0);
      }
    }
    // same seed → same first choice
    const again = await client.chat.completions.create({
      model: 'puyu-tool-tiny',
      messages: weather('Shanghai'),
      n: 1,
      temperature: 1.5,
      seed: 11,
      max_tokens: 8,
    });
    expect(again.choices[0].message.content).toBe(r.choices[0].message.content);
  });

  it('embeddings: one normalised-size vector per input', async () => {
    const r = await client.embeddings.create({ model: 'puyu-tool-tiny', input: ['hello world', 'weather in Shanghai'] });
    expect(r.data).toHaveLength(2);
    expect(r.data[0].embedding.length).toBe(64);
    expect(r.data[0].embedding).not.toEqual(r.data[1].embedding);
    expect(r.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('completions: echo + logprobs score the prompt (perplexity), then continue', async () => {
    const prompt = `<s><|im_start|>system\n${SYSTEM}<|im_end|>\n<|im_start|>user\n${GREETING}<|im_end|>\n<|im_start|>assistant\n${GREETING_REPLY}`;
    const r = await client.completions.create({ model: 'puyu-tool-tiny', prompt, echo: true, logprobs: 2, max_tokens: 0 });
    const lp = r.choices[0].logprobs!;
    expect(r.choices[0].text).toBe(prompt);
    expect(lp.token_logprobs![0]).toBeNull();
    const scored = lp.token_logprobs!.slice(1) as number[];
    expect(scored.length).toBe(lp.tokens!.length - 1);
    for (const v of scored) expect(v).toBeLessThanOrEqual(0);
    // The memorised reply is far more likely than chance (vocabulary 2048 → ln p ≈ -7.6).
    const replyTokens = scored.slice(-5);
    const mean = replyTokens.reduce((a, b) => a + b, 0) / replyTokens.length;
    expect(mean).toBeGreaterThan(-1);
    const ppl = Math.exp(-scored.reduce((a, b) => a + b, 0) / scored.length);
    console.log(`prompt perplexity under the tiny model: ${ppl.toFixed(3)} over ${scored.length} tokens`);

    const cont = await client.completions.create({
      model: 'puyu-tool-tiny',
      prompt: prompt.slice(0, prompt.length - GREETING_REPLY.length),
      max_tokens: 20,
      temperature: 0,
      stop: ['?'],
    });
    expect(cont.choices[0].text).toBe(GREETING_REPLY.slice(0, GREETING_REPLY.indexOf('?')));
    expect(cont.choices[0].finish_reason).toBe('stop');
  });
});

describe('openai client: streaming completions', () => {
  it('streams text that concatenates to the non-streaming completion, with usage', async () => {
    const prompt = `<s><|im_start|>system\n${SYSTEM}<|im_end|>\n<|im_start|>user\n${GREETING}<|im_end|>\n<|im_start|>assistant\n`;
    const whole = await client.completions.create({ model: 'puyu-tool-tiny', prompt, max_tokens: 20, temperature: 0 });
    const stream = await client.completions.create({
      model: 'puyu-tool-tiny',
      prompt,
      max_tokens: 20,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(whole.choices[0].text);
    expect(text.startsWith(GREETING_REPLY)).toBe(true);
    expect(usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
  });
});

describe('AI SDK (@ai-sdk/openai-compatible)', () => {
  it('generateText and streamText with a tool', async () => {
    const provider = createOpenAICompatible({ name: 'puyu', baseURL: `${server.url}/v1`, apiKey: 'sk-test' });
    const model = provider.chatModel('puyu-tool-tiny');
    const text = await generateText({ model, system: SYSTEM, prompt: GREETING, temperature: 0 });
    expect(text.text).toBe(GREETING_REPLY);

    const calls: unknown[] = [];
    const result = await generateText({
      model,
      system: SYSTEM,
      prompt: 'What is the weather in Beijing?',
      temperature: 0,
      tools: {
        get_weather: tool({
          description: WEATHER_TOOL.description,
          inputSchema: jsonSchema<{ location: string }>(WEATHER_TOOL.parameters as never),
        }),
      },
    });
    calls.push(...result.toolCalls.map((c) => ({ name: c.toolName, input: c.input })));
    expect(calls).toEqual([{ name: 'get_weather', input: { location: 'Beijing' } }]);

    const streamed = streamText({ model, system: SYSTEM, prompt: GREETING, temperature: 0 });
    let s = '';
    for await (const d of streamed.textStream) s += d;
    expect(s).toBe(GREETING_REPLY);
  });
});
