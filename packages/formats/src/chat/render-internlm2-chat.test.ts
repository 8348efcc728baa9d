import { existsSync, readFileSync } from 'node:fs';
import { sharedPath } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { pythonJsonDumps } from './python-json-dumps.js';
import {
  INTERNLM2_INTERPRETER_PROMPT,
  INTERNLM2_META_INSTRUCTION,
  renderInternLM2Chat,
  renderInternLM2ToolCall,
  renderToolDefinitions,
} from './render-internlm2-chat.js';
import type { ChatMessage, ToolDefinition } from './types.js';

const weatherSchema = { type: 'object', properties: { location: { type: 'string', description: 'City name' } }, required: ['location'] };
const weatherTool: ToolDefinition = { name: 'get_weather', description: '...', parameters: weatherSchema };

/** The plugin round trip of ARCHITECTURE.md "Chat + tools", with `{...}` filled in. */
const ROUND_TRIP: ChatMessage[] = [
  { role: 'user', content: 'Weather in Shanghai?' },
  {
    role: 'assistant',
    content: 'Let me check.',
    toolCalls: [{ kind: 'plugin', name: 'get_weather', parameters: { location: 'Shanghai' } }],
  },
  { role: 'environment', name: 'plugin', content: '{"temperature": 22}' },
];

const GOLDEN =
  '<|im_start|>system name=<|plugin|>\n' +
  '[{"name": "get_weather", "description": "...", "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "City name"}}, "required": ["location"]}}]<|im_end|>\n' +
  '<|im_start|>user\n' +
  'Weather in Shanghai?<|im_end|>\n' +
  '<|im_start|>assistant\n' +
  'Let me check.<|action_start|><|plugin|>\n' +
  '{"name": "get_weather", "parameters": {"location": "Shanghai"}}<|action_end|><|im_end|>\n' +
  '<|im_start|>environment name=<|plugin|>\n' +
  '{"temperature": 22}<|im_end|>\n';

const bare = { meta_instruction: null, bosToken: '', addGenerationPrompt: false } as const;

describe('renderInternLM2Chat', () => {
  it('renders the ARCHITECTURE.md plugin round trip byte for byte', () => {
    expect(renderInternLM2Chat(ROUND_TRIP, { ...bare, tools: [weatherTool] })).toBe(GOLDEN);
  });

  const archUrl = sharedPath('design', 'ARCHITECTURE.md');
  it.skipIf(!existsSync(archUrl))('matches the example block in ARCHITECTURE.md itself', () => {
    const doc = readFileSync(archUrl, 'utf8');
    const block = /```\n(<\|im_start\|>system name=<\|plugin\|>[\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const filled = block!.replace('"parameters": {...}', `"parameters": ${pythonJsonDumps(weatherSchema)}`);
    expect(renderInternLM2Chat(ROUND_TRIP, { ...bare, tools: [weatherTool] })).toBe(filled);
  });

  it('puts BOS, the default meta instruction and the generation prompt by default', () => {
    const out = renderInternLM2Chat([{ role: 'user', content: '你好' }]);
    expect(out).toBe(
      `<s><|im_start|>system\n${INTERNLM2_META_INSTRUCTION}<|im_end|>\n<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n`,
    );
    expect(INTERNLM2_META_INSTRUCTION).toContain('InternLM (书生·浦语)');
  });

  it('lets a leading system message replace the meta instruction', () => {
    const out = renderInternLM2Chat([
      { role: 'system', content: '你是书生浦语2，一个无害的人工智能助手' },
      { role: 'user', content: '你好呀' },
      { role: 'assistant', content: '你好，我是书生浦语，请问有什么可以帮助你的吗' },
    ]);
    expect(out).toBe(
      '<s><|im_start|>system\n你是书生浦语2，一个无害的人工智能助手<|im_end|>\n<|im_start|>user\n你好呀<|im_end|>\n' +
        '<|im_start|>assistant\n你好，我是书生浦语，请问有什么可以帮助你的吗<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('orders system, interpreter prompt, plugin list, then the conversation (chat_format.md)', () => {
    const out = renderInternLM2Chat(
      [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'U' },
      ],
      {
        tools: [{ name: 't' }],
        interpreter: true,
        bosToken: '',
      },
    );
    expect(out).toBe(
      '<|im_start|>system\nS<|im_end|>\n' +
        `<|im_start|>system name=<|interpreter|>\n${INTERNLM2_INTERPRETER_PROMPT}<|im_end|>\n` +
        '<|im_start|>system name=<|plugin|>\n[{"name": "t"}]<|im_end|>\n' +
        '<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('inserts tool prompts after the meta instruction when there is no system message (LMDeploy order)', () => {
    const out = renderInternLM2Chat([{ role: 'user', content: 'U' }], {
      tools: [{ name: 't' }],
      interpreter: 'Run code.',
      meta_instruction: 'M',
      bosToken: '',
    });
    expect(out).toBe(
      '<|im_start|>system\nM<|im_end|>\n<|im_start|>system name=<|interpreter|>\nRun code.<|im_end|>\n' +
        '<|im_start|>system name=<|plugin|>\n[{"name": "t"}]<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('serialises Chinese tool definitions and nested arguments like Python json.dumps(ensure_ascii=False)', () => {
    const tools: ToolDefinition[] = [
      {
        name: '查询天气',
        description: '查询某个城市的天气 "实时"',
        parameters: {
          type: 'object',
          properties: { 城市: { type: 'string' }, 选项: { type: 'object', properties: { 单位: { enum: ['摄氏', '华氏'] } } } },
        },
      },
    ];
    expect(renderToolDefinitions(tools)).toBe(
      '[{"name": "查询天气", "description": "查询某个城市的天气 \\"实时\\"", "parameters": {"type": "object", "properties": {"城市": {"type": "string"}, "选项": {"type": "object", "properties": {"单位": {"enum": ["摄氏", "华氏"]}}}}}}]',
    );
    const call = renderInternLM2ToolCall({
      kind: 'plugin',
      name: '查询天气',
      parameters: { 城市: '上海', 选项: { 单位: '摄氏', 天数: [1, 2.5, { 深: [null, true] }] } },
    });
    expect(call).toBe(
      '<|action_start|><|plugin|>\n{"name": "查询天气", "parameters": {"城市": "上海", "选项": {"单位": "摄氏", "天数": [1, 2.5, {"深": [null, true]}]}}}<|action_end|>',
    );
  });

  it('renders interpreter calls as a fenced python block, backticks inside the code untouched', () => {
    const code = 'print("```")\ns = `not js`\n# ```python fence in a comment';
    expect(renderInternLM2ToolCall({ kind: 'interpreter', code })).toBe(
      `<|action_start|><|interpreter|>\n\`\`\`python\n${code}\n\`\`\`<|action_end|>`,
    );
  });

  it('renders several calls in one turn back to back and interpreter results with their sub-role', () => {
    const out = renderInternLM2Chat(
      [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { kind: 'plugin', name: 'a', parameters: {} },
            { kind: 'interpreter', code: '1+1' },
          ],
        },
        { role: 'environment', name: 'plugin', content: 'A' },
        { role: 'environment', name: '<|interpreter|>', content: '2' },
        { role: 'user', name: 'file', content: '[{"path": "data.csv"}]' },
      ],
      bare,
    );
    expect(out).toBe(
      '<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n' +
        '<|action_start|><|plugin|>\n{"name": "a", "parameters": {}}<|action_end|>' +
        '<|action_start|><|interpreter|>\n```python\n1+1\n```<|action_end|><|im_end|>\n' +
        '<|im_start|>environment name=<|plugin|>\nA<|im_end|>\n<|im_start|>environment name=<|interpreter|>\n2<|im_end|>\n' +
        '<|im_start|>user name=file\n[{"path": "data.csv"}]<|im_end|>\n',
    );
  });

  it('continues a final assistant message without closing it', () => {
    const out = renderInternLM2Chat(
      [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'The answer is' },
      ],
      { ...bare, continueFinalMessage: true },
    );
    expect(out).toBe('<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\nThe answer is');
  });

  it('rejects malformed messages with stable codes', () => {
    expect(() => renderInternLM2Chat([{ role: 'tool' as never, content: 'x' }])).toThrow(
      expect.objectContaining({ code: 'CHAT_INVALID_ROLE' }),
    );
    expect(() => renderInternLM2Chat([{ role: 'user', content: null as never }])).toThrow(
      expect.objectContaining({ code: 'CHAT_INVALID_CONTENT' }),
    );
    expect(() => renderInternLM2Chat([{ role: 'user', content: '', toolCalls: [{ kind: 'interpreter', code: '' }] }])).toThrow(
      expect.objectContaining({ code: 'CHAT_INVALID_MESSAGE' }),
    );
    expect(() =>
      renderInternLM2Chat([{ role: 'assistant', content: '', toolCalls: [{ kind: 'plugin', name: '', parameters: {} }] }]),
    ).toThrow(expect.objectContaining({ code: 'CHAT_INVALID_TOOL_CALL' }));
    expect(() => renderInternLM2Chat([{ role: 'user', content: 'x' }], { continueFinalMessage: true })).toThrow(
      expect.objectContaining({ code: 'CHAT_NOTHING_TO_CONTINUE' }),
    );
    expect(() => renderToolDefinitions([{ name: '' }])).toThrow(expect.objectContaining({ code: 'CHAT_INVALID_TOOL' }));
  });
});
