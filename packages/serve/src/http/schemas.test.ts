import { describe, expect, it } from 'vitest';
import { commonPrefixLength } from '../engine/commonPrefixLength.js';
import { chatRequestSchema, completionRequestSchema, embeddingRequestSchema } from './schemas.js';

describe('request schemas', () => {
  it('accept what the OpenAI client sends, including vendor extensions', () => {
    const r = chatRequestSchema.parse({
      model: 'm',
      messages: [
        { role: 'developer', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '42' },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: 'required',
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } },
      stream_options: { include_usage: true },
      top_k: 20,
      min_p: 0.05,
      ignore_eos: true,
      unknown_field: 1,
    });
    expect(r.messages).toHaveLength(4);
    expect(r.top_k).toBe(20);
    expect('unknown_field' in r).toBe(false);
  });

  it('reject out-of-range sampling values and malformed messages with a path', () => {
    const bad = (body: unknown) => {
      const r = chatRequestSchema.safeParse(body);
      return r.success ? null : r.error.issues[0].path.join('.');
    };
    const messages = [{ role: 'user', content: 'x' }];
    expect(bad({ messages, temperature: 2.5 })).toBe('temperature');
    expect(bad({ messages, top_p: 0 })).toBe('top_p');
    expect(bad({ messages, n: 17 })).toBe('n');
    expect(bad({ messages, top_logprobs: 21 })).toBe('top_logprobs');
    expect(bad({ messages: [{ role: 'tool', content: 'x' }] })).toBe('messages.0.tool_call_id');
    expect(bad({ messages: [] })).toBe('messages');
  });

  it('completions take strings, string lists and token lists; max_tokens 0 scores without generating', () => {
    expect(completionRequestSchema.parse({ prompt: 'a', echo: true, logprobs: 1, max_tokens: 0 }).max_tokens).toBe(0);
    expect(completionRequestSchema.parse({ prompt: [1, 2, 3] }).prompt).toEqual([1, 2, 3]);
    expect(completionRequestSchema.parse({ prompt: [[1], [2, 3]] }).prompt).toEqual([[1], [2, 3]]);
    expect(completionRequestSchema.safeParse({ prompt: [-1] }).success).toBe(false);
    expect(embeddingRequestSchema.safeParse({ input: [] }).success).toBe(false);
  });

  it('commonPrefixLength', () => {
    expect(commonPrefixLength([1, 2, 3], [1, 2, 4, 5])).toBe(2);
    expect(commonPrefixLength([], [1])).toBe(0);
    expect(commonPrefixLength([1, 2], [1, 2])).toBe(2);
  });
});
