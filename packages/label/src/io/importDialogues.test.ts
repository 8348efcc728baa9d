import { describe, expect, it } from 'vitest';
import { parseDialogueJsonl } from './importDialogues.js';

describe('parseDialogueJsonl', () => {
  it("reads LabelLLM's upload shape: send/receive messages, trailing answers as candidates, prompt and ids kept", () => {
    const line = JSON.stringify({
      questionnaire_id: null,
      prompt: 'Judge the answers',
      conversation_id: '7d3c',
      conversation: [
        { message_id: 'u1', parent_id: null, message_type: 'send', content: 'Tell a joke', user_id: '' },
        { message_id: 'r1', parent_id: 'u1', message_type: 'receive', content: 'Knock knock.' },
        { message_id: 'r2', parent_id: 'u1', message_type: 'receive', content: 'Why did the chicken…' },
      ],
      custom: { source: 'forum' },
    });
    const { dialogues, skipped } = parseDialogueJsonl(line);
    expect(skipped).toEqual([]);
    expect(dialogues[0]).toEqual({
      line: 1,
      key: '7d3c',
      data: {
        kind: 'dialogue',
        messages: [{ id: 'u1', role: 'user', content: 'Tell a joke' }],
        candidates: [
          { id: 'c1', content: 'Knock knock.', source: 'import' },
          { id: 'c2', content: 'Why did the chicken…', source: 'import' },
        ],
        meta: { prompt: 'Judge the answers', conversation_id: '7d3c', custom: { source: 'forum' } },
      },
    });
  });

  it("reads XTuner's conversation (system on its turn, the last output a candidate) and OpenAI messages with candidates", () => {
    const { dialogues } = parseDialogueJsonl(
      [
        JSON.stringify({
          conversation: [
            { system: 'S', input: 'a', output: 'b' },
            { input: 'c', output: 'd' },
          ],
        }),
        JSON.stringify({ id: 'x1', messages: [{ role: 'user', content: 'q' }], candidates: ['one', 'two'] }),
      ].join('\r\n'),
    );
    expect(dialogues[0]?.data.messages.map((m) => `${m.role}:${m.content}`)).toEqual(['system:S', 'user:a', 'assistant:b', 'user:c']);
    expect(dialogues[0]?.data.candidates.map((c) => c.content)).toEqual(['d']);
    expect(dialogues[0]?.key).toMatch(/^[0-9a-f]{16}$/);
    expect(dialogues[1]).toMatchObject({
      key: 'x1',
      data: {
        candidates: [
          { id: 'c1', content: 'one' },
          { id: 'c2', content: 'two' },
        ],
      },
    });
  });

  it('reports each hostile or malformed line with its number and a code, and imports the rest', () => {
    const lines = [
      '[1,2]',
      '"just a string"',
      JSON.stringify({ messages: 'nope' }),
      JSON.stringify({ messages: [{ role: 'tool', content: 'x' }] }),
      JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'image_url' }] }] }),
      JSON.stringify({ messages: [{ role: 'assistant', content: 'no user turn' }] }),
      JSON.stringify({ conversation: [{ message_type: 'shout', content: 'x' }] }),
      JSON.stringify({ conversation: [{ input: 5 }] }),
      JSON.stringify({ messages: [{ role: 'user', content: 'fine' }], candidates: [1] }),
      JSON.stringify({ key: 'k', data: { kind: 'image' } }),
      JSON.stringify({ unrelated: true }),
      JSON.stringify({ messages: [{ role: 'user', content: 'good' }] }),
      '',
    ];
    const { dialogues, skipped } = parseDialogueJsonl(lines.join('\n'));
    expect(dialogues.map((d) => d.data.messages[0]?.content)).toEqual(['good']);
    expect(skipped.map((s) => s.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(new Set(skipped.map((s) => s.code))).toEqual(new Set(['LABEL_BAD_IMPORT']));
  });
});
