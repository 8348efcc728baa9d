import { describe, expect, it } from 'vitest';
import {
  fromOpenAIMessages,
  fromOpenAITools,
  INTERPRETER_TOOL_NAME,
  type OpenAIChatMessage,
  type OpenAITool,
  toOpenAIMessages,
  toOpenAIToolCalls,
  toOpenAITools,
} from './openai-messages.js';
import { parseInternLM2Response } from './parse-internlm2-response.js';
import { renderInternLM2Chat } from './render-internlm2-chat.js';
import type { ChatMessage } from './types.js';

const weatherTool: OpenAITool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: '...',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

const REQUEST: OpenAIChatMessage[] = [
  { role: 'user', content: 'Weather in Shanghai?' },
  {
    role: 'assistant',
    content: 'Let me check.',
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Shanghai"}' } }],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '{"temperature": 22}' },
];

describe('OpenAI ↔ InternLM2 messages', () => {
  it('maps tool_calls to plugin calls and tool results to environment name=plugin', () => {
    expect(fromOpenAIMessages(REQUEST)).toEqual<ChatMessage[]>([
      { role: 'user', content: 'Weather in Shanghai?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        toolCalls: [{ kind: 'plugin', name: 'get_weather', parameters: { location: 'Shanghai' }, id: 'call_1' }],
      },
      { role: 'environment', name: 'plugin', content: '{"temperature": 22}', toolCallId: 'call_1' },
    ]);
  });

  it('renders an OpenAI request as the ARCHITECTURE.md transcript (Python spacing restored)', () => {
    const { tools, interpreter } = fromOpenAITools([weatherTool]);
    const prompt = renderInternLM2Chat(fromOpenAIMessages(REQUEST), { tools, interpreter, meta_instruction: null, bosToken: '' });
    expect(prompt).toBe(
      '<|im_start|>system name=<|plugin|>\n' +
        '[{"name": "get_weather", "description": "...", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}]<|im_end|>\n' +
        '<|im_start|>user\nWeather in Shanghai?<|im_end|>\n' +
        '<|im_start|>assistant\nLet me check.<|action_start|><|plugin|>\n{"name": "get_weather", "parameters": {"location": "Shanghai"}}<|action_end|><|im_end|>\n' +
        '<|im_start|>environment name=<|plugin|>\n{"temperature": 22}<|im_end|>\n' +
        '<|im_start|>assistant\n',
    );
  });

  it('routes the interpreter function to the <|interpreter|> channel', () => {
    const { tools, interpreter } = fromOpenAITools(toOpenAITools([{ name: 'f' }], { interpreter: true }));
    expect(tools).toEqual([{ name: 'f' }]);
    expect(interpreter).toBe(true);
    const messages = fromOpenAIMessages([
      { role: 'user', content: '2**10?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c9', type: 'function', function: { name: INTERPRETER_TOOL_NAME, arguments: '{"command": "print(2**10)"}' } }],
      },
      { role: 'tool', tool_call_id: 'c9', content: '1024' },
    ]);
    expect(messages[1]).toEqual({ role: 'assistant', content: '', toolCalls: [{ kind: 'interpreter', code: 'print(2**10)', id: 'c9' }] });
    expect(messages[2]).toEqual({ role: 'environment', name: 'interpreter', content: '1024', toolCallId: 'c9' });
  });

  it('round-trips InternLM2 → OpenAI → InternLM2 when calls carry ids', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: '你是书生浦语' },
      { role: 'user', content: '查天气并算一下' },
      {
        role: 'assistant',
        content: '好的。',
        toolCalls: [
          { kind: 'plugin', name: '查询天气', parameters: { 城市: '上海', 选项: { 天数: [1, 2] } }, id: 'a' },
          { kind: 'interpreter', code: 'print("```")', id: 'b' },
        ],
      },
      { role: 'environment', name: 'plugin', content: '晴', toolCallId: 'a' },
      { role: 'environment', name: 'interpreter', content: '```', toolCallId: 'b' },
      { role: 'assistant', content: '上海晴。' },
    ];
    expect(fromOpenAIMessages(toOpenAIMessages(messages))).toEqual(messages);
  });

  it('pairs results with id-less calls in order and gives calls fresh ids', () => {
    let n = 0;
    const out = toOpenAIMessages(
      [
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { kind: 'plugin', name: 'a', parameters: {} },
            { kind: 'plugin', name: 'b', parameters: { x: 1 } },
          ],
        },
        { role: 'environment', name: 'plugin', content: 'A' },
        { role: 'environment', name: 'plugin', content: 'B' },
      ],
      { makeToolCallId: () => `id${n++}` },
    );
    expect(out).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'id0', type: 'function', function: { name: 'a', arguments: '{}' } },
          { id: 'id1', type: 'function', function: { name: 'b', arguments: '{"x":1}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'id0', content: 'A' },
      { role: 'tool', tool_call_id: 'id1', content: 'B' },
    ]);
    expect(() => toOpenAIMessages([{ role: 'environment', content: 'orphan' }])).toThrow(
      expect.objectContaining({ code: 'CHAT_UNMATCHED_TOOL_RESULT' }),
    );
  });

  it('turns a parsed model response into OpenAI tool_calls', () => {
    const parsed = parseInternLM2Response(
      'Let me check.<|action_start|><|plugin|>\n{"name": "get_weather", "parameters": {"location": "上海"}}<|action_end|>',
    );
    const calls = toOpenAIToolCalls(parsed.toolCalls);
    expect(calls).toHaveLength(1);
    expect(calls[0].id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(calls[0].function).toEqual({ name: 'get_weather', arguments: '{"location":"上海"}' });
  });

  it('accepts developer, text parts, legacy function calls and keeps only sub-role names', () => {
    const out = fromOpenAIMessages([
      { role: 'developer', content: [{ type: 'text', text: 'be brief' }], name: 'ops' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
        name: 'alice',
      },
      { role: 'assistant', content: null, function_call: { name: 'f', arguments: '' } },
      { role: 'function', name: 'f', content: 'r' },
      { role: 'system', content: '[]', name: '<|plugin|>' },
    ]);
    expect(out).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'a\nb' },
      { role: 'assistant', content: '', toolCalls: [{ kind: 'plugin', name: 'f', parameters: {} }] },
      { role: 'environment', name: 'plugin', content: 'r' },
      { role: 'system', name: 'plugin', content: '[]' },
    ]);
  });

  it('rejects what InternLM2 cannot take, with codes', () => {
    const bad = (m: unknown) => () => fromOpenAIMessages([m as OpenAIChatMessage]);
    expect(bad({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] })).toThrow(
      expect.objectContaining({ code: 'CHAT_UNSUPPORTED_CONTENT' }),
    );
    expect(bad({ role: 'robot', content: 'x' })).toThrow(expect.objectContaining({ code: 'CHAT_INVALID_ROLE' }));
    expect(
      bad({ role: 'assistant', content: '', tool_calls: [{ id: 'x', type: 'function', function: { name: 'f', arguments: '{oops' } }] }),
    ).toThrow(expect.objectContaining({ code: 'OPENAI_INVALID_ARGUMENTS' }));
    expect(
      bad({
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 'x', type: 'function', function: { name: INTERPRETER_TOOL_NAME, arguments: '{}' } }],
      }),
    ).toThrow(expect.objectContaining({ code: 'OPENAI_INVALID_TOOL_CALL' }));
    expect(() => fromOpenAITools([{ type: 'retrieval' } as unknown as OpenAITool])).toThrow(
      expect.objectContaining({ code: 'OPENAI_UNSUPPORTED_TOOL' }),
    );
  });
});
