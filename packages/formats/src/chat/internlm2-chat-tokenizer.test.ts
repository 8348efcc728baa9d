import { existsSync } from 'node:fs';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHfTokenizer } from '../tokenizer/index.js';
import { type ChatStreamEvent, InternLM2StreamParser } from './internlm2-stream-parser.js';
import { parseInternLM2Response } from './parse-internlm2-response.js';
import { renderInternLM2Chat, renderInternLM2ToolCall } from './render-internlm2-chat.js';
import { INTERNLM2_SPECIAL_TOKENS } from './special-tokens.js';
import type { ChatMessage } from './types.js';

// The real InternLM2 tokenizer (../shared is test data, not a product dependency).
const dir = INTERNLM2_TOKENIZER_DIR;
type Tokenizer = ReturnType<typeof loadHfTokenizer>['tokenizer'];

describe.skipIf(!existsSync(dir))('InternLM2 chat through the real tokenizer', () => {
  let tok: Tokenizer;
  beforeAll(() => {
    tok = loadHfTokenizer(dir).tokenizer;
  });

  const conversation: ChatMessage[] = [
    { role: 'user', content: '上海天气怎么样？' },
    { role: 'assistant', content: '我来查一下。', toolCalls: [{ kind: 'plugin', name: 'get_weather', parameters: { location: '上海' } }] },
    { role: 'environment', name: 'plugin', content: '{"temperature": 22}' },
  ];

  it('encodes every marker of a rendered prompt as its single special id, with BOS first', () => {
    const prompt = renderInternLM2Chat(conversation, { tools: [{ name: 'get_weather', parameters: { type: 'object' } }] });
    const ids = tok.encode(prompt, { parseSpecial: true });
    expect(ids[0]).toBe(1);
    const count = (id: number) => ids.filter((x) => x === id).length;
    expect(count(INTERNLM2_SPECIAL_TOKENS['<|im_start|>'])).toBe(6); // meta, tools, user, assistant, environment, generation prompt
    expect(count(INTERNLM2_SPECIAL_TOKENS['<|im_end|>'])).toBe(5);
    expect(count(INTERNLM2_SPECIAL_TOKENS['<|action_start|>'])).toBe(1);
    expect(count(INTERNLM2_SPECIAL_TOKENS['<|plugin|>'])).toBe(3); // two sub-roles and the call
    expect(count(INTERNLM2_SPECIAL_TOKENS['<|action_end|>'])).toBe(1);
    // SentencePiece decoding drops the BOS control token, like the Python library.
    expect(tok.decode(ids)).toBe(prompt.slice('<s>'.length));
  });

  it('parses a response streamed token by token exactly like the whole text', () => {
    const response =
      '我来查一下上海和北京的天气 😀。' +
      renderInternLM2ToolCall({ kind: 'plugin', name: 'get_weather', parameters: { cities: ['上海', '北京'], opts: { unit: '摄氏' } } }) +
      renderInternLM2ToolCall({ kind: 'interpreter', code: 'print("```")' }) +
      '<|im_end|>';
    const ids = tok.encode(response, { parseSpecial: true });
    // Incremental detokenisation as a server does it: decode the prefix, send the new suffix,
    // but hold a trailing U+FFFD (a UTF-8 sequence split across byte-fallback tokens).
    const parser = new InternLM2StreamParser();
    const events: ChatStreamEvent[] = [];
    let sent = '';
    for (let i = 1; i <= ids.length; i++) {
      const text = tok.decode(ids.slice(0, i));
      if (text.endsWith('\uFFFD')) continue;
      events.push(...parser.push(text.slice(sent.length)));
      sent = text;
    }
    events.push(...parser.end());
    const whole = parseInternLM2Response(response);
    expect(events.filter((e) => e.type === 'tool_call')).toEqual(whole.events.filter((e) => e.type === 'tool_call'));
    expect(events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('')).toBe(whole.content);
    expect(whole.toolCalls).toHaveLength(2);
    expect(events.at(-1)).toEqual({ type: 'done', reason: 'im_end' });
  });
});
