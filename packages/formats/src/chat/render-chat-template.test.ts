import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { chatTemplateFromTokenizerConfig, renderChatTemplate, type TemplateMessage, toTemplateMessages } from './render-chat-template.js';
import { renderInternLM2Chat, renderInternLM2ToolCall } from './render-internlm2-chat.js';
import type { ChatMessage } from './types.js';

// InternLM2's template and its renders by CPython Jinja2 (fixtures/gen_python_oracle.py).
const oracle = JSON.parse(readFileSync(new URL('./fixtures/python-oracle.json', import.meta.url), 'utf8')) as {
  chat_template: string;
  hf_template: { messages: ChatMessage[]; add_generation_prompt: boolean; output: string }[];
};
const TEMPLATE = oracle.chat_template;
const hf = (messages: readonly TemplateMessage[], addGenerationPrompt: boolean) =>
  renderChatTemplate(TEMPLATE, messages, { addGenerationPrompt, bosToken: '<s>', eosToken: '</s>' });
// The HF template has no meta instruction, so compare with ours switched off.
const ours = (messages: readonly ChatMessage[], addGenerationPrompt: boolean) =>
  renderInternLM2Chat(messages, { meta_instruction: null, addGenerationPrompt });

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = [
  'Hello',
  '你好呀',
  '',
  ' leading and trailing ',
  'two\nlines\n',
  '{{ not_a_var }}',
  '{% if x %}y{% endif %}',
  '<|im_end|> literal',
  'emoji 😀',
  '\t\ttabs',
  'a'.repeat(200),
];

function randomConversation(next: () => number): ChatMessage[] {
  const pick = () => SNIPPETS[Math.floor(next() * SNIPPETS.length)] + (next() < 0.5 ? '' : SNIPPETS[Math.floor(next() * SNIPPETS.length)]);
  const messages: ChatMessage[] = [];
  if (next() < 0.5) messages.push({ role: 'system', content: pick() });
  const turns = 1 + Math.floor(next() * 5);
  for (let t = 0; t < turns; t++) {
    messages.push({ role: 'user', content: pick() });
    if (t < turns - 1 || next() < 0.5) messages.push({ role: 'assistant', content: pick() });
  }
  return messages;
}

describe('renderChatTemplate on InternLM2 chat_template', () => {
  it('matches CPython Jinja2 on the oracle conversations', () => {
    expect(oracle.hf_template.length).toBeGreaterThanOrEqual(8);
    for (const c of oracle.hf_template) expect(hf(c.messages as TemplateMessage[], c.add_generation_prompt)).toBe(c.output);
  });

  it('equals renderInternLM2Chat on the oracle conversations', () => {
    for (const c of oracle.hf_template) expect(ours(c.messages, c.add_generation_prompt)).toBe(c.output);
  });

  it('equals renderInternLM2Chat on 300 random conversations (system, multi-turn, with/without generation prompt)', () => {
    const next = rng(7);
    for (let i = 0; i < 300; i++) {
      const messages = randomConversation(next);
      const add = next() < 0.5;
      expect(hf(toTemplateMessages(messages), add)).toBe(ours(messages, add));
    }
  });

  it('agrees on tool turns once action blocks are in the content and results carry no sub-role', () => {
    // InternLM2's HF template prints role + content only: it cannot render the plugin list,
    // `name=<|plugin|>` sub-roles or tool_calls. Where it applies, it must agree byte for byte.
    const call = { kind: 'plugin', name: 'get_weather', parameters: { location: '上海' } } as const;
    const ourMessages: ChatMessage[] = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Let me check.', toolCalls: [call] },
      { role: 'environment', content: '{"temperature": 22}' },
    ];
    const hfMessages: TemplateMessage[] = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Let me check.' + renderInternLM2ToolCall(call) },
      { role: 'environment', content: '{"temperature": 22}' },
    ];
    expect(hf(hfMessages, true)).toBe(ours(ourMessages, true));
    // ...and where our renderer goes further, the HF template demonstrably falls short.
    const withName: ChatMessage[] = [...ourMessages.slice(0, 2), { role: 'environment', name: 'plugin', content: '{}' }];
    expect(hf(toTemplateMessages(withName), false)).not.toContain('name=<|plugin|>');
    expect(
      renderInternLM2Chat(withName, { meta_instruction: null, addGenerationPrompt: false, tools: [{ name: 'get_weather' }] }),
    ).toContain('<|im_start|>system name=<|plugin|>\n[{"name": "get_weather"}]<|im_end|>\n');
  });

  const configUrl = join(INTERNLM2_TOKENIZER_DIR, 'tokenizer_config.json');
  it.skipIf(!existsSync(configUrl))('fixture template is the one in the real tokenizer_config.json', () => {
    const config = JSON.parse(readFileSync(configUrl, 'utf8')) as Record<string, unknown>;
    expect(chatTemplateFromTokenizerConfig(config)).toBe(TEMPLATE);
  });
});

describe('renderChatTemplate generally', () => {
  it('passes tools in OpenAI shape and tool calls through toTemplateMessages', () => {
    const template =
      '{% for t in tools %}[{{ t.function.name }}:{{ t.function.parameters | tojson }}]{% endfor %}' +
      '{% for m in messages %}{{ m.role }}={{ m.content }}{% if m.tool_calls %}{% for c in m.tool_calls %}<{{ c.function.name }} {{ c.function.arguments | tojson }}>{% endfor %}{% endif %};{% endfor %}';
    const out = renderChatTemplate(
      template,
      toTemplateMessages([
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { kind: 'plugin', name: 'f', parameters: { a: 1 } },
            { kind: 'interpreter', code: 'x' },
          ],
        },
      ]),
      { tools: [{ name: 'f', parameters: { type: 'object' } }] },
    );
    expect(out).toBe('[f:{"type": "object"}]user=q;assistant=<f {"a": 1}><IPythonInterpreter {"command": "x"}>;');
  });

  it('keeps lstrip_blocks and trim_blocks semantics on the first line', () => {
    expect(renderChatTemplate('  {% if true %}\nyes\n  {% endif %}\n', [])).toBe('yes\n');
  });

  it('turns raise_exception into a coded FormatError', () => {
    const template = "{% if messages[0]['role'] != 'user' %}{{ raise_exception('Conversation must start with user') }}{% endif %}ok";
    expect(renderChatTemplate(template, [{ role: 'user', content: 'x' }])).toBe('ok');
    expect(() => renderChatTemplate(template, [{ role: 'system', content: 'x' }])).toThrow(
      expect.objectContaining({ code: 'CHAT_TEMPLATE_RAISED', message: expect.stringContaining('Conversation must start with user') }),
    );
  });

  it('reports syntax and render errors with codes', () => {
    expect(() => renderChatTemplate('{% if %}', [])).toThrow(expect.objectContaining({ code: 'CHAT_TEMPLATE_INVALID' }));
    expect(() => renderChatTemplate('{{ messages[0].content.nope() }}', [{ role: 'user', content: 'x' }])).toThrow(
      expect.objectContaining({ code: 'CHAT_TEMPLATE_RENDER_FAILED' }),
    );
  });

  it('reads string and named chat templates from tokenizer configs', () => {
    expect(chatTemplateFromTokenizerConfig({ chat_template: 'T' })).toBe('T');
    const named = {
      chat_template: [
        { name: 'default', template: 'D' },
        { name: 'tool_use', template: 'U' },
      ],
    };
    expect(chatTemplateFromTokenizerConfig(named)).toBe('D');
    expect(chatTemplateFromTokenizerConfig(named, 'tool_use')).toBe('U');
    expect(() => chatTemplateFromTokenizerConfig(named, 'rag')).toThrow(expect.objectContaining({ code: 'CHAT_TEMPLATE_MISSING' }));
    expect(() => chatTemplateFromTokenizerConfig({})).toThrow(expect.objectContaining({ code: 'CHAT_TEMPLATE_MISSING' }));
  });

  it('passes extra variables through', () => {
    expect(
      renderChatTemplate('{{ bos_token }}{{ date_string }}{{ eos_token }}', [], {
        extra: { date_string: '2024' },
        bosToken: '<s>',
        eosToken: '</s>',
      }),
    ).toBe('<s>2024</s>');
  });
});
