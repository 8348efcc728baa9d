import { describe, expect, it } from 'vitest';
import { parseSftJsonl } from './readSftJsonl.js';

const lines = (...records: unknown[]) => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

describe('parseSftJsonl', () => {
  it('reads XTuner conversations: system ahead of its turn, multi-turn, output_with_loss', () => {
    const { dialogues, skipped } = parseSftJsonl(
      lines({
        conversation: [
          { system: 'Be brief.', input: 'Hi', output: 'Hello!' },
          { input: 'And?', output: 'Bye.', output_with_loss: false },
          { input: null, output: 'Again.' },
        ],
      }),
    );
    expect(skipped).toEqual([]);
    expect(dialogues).toEqual([
      {
        line: 1,
        format: 'xtuner',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'And?' },
          { role: 'assistant', content: 'Bye.' },
          { role: 'user', content: '' },
          { role: 'assistant', content: 'Again.' },
        ],
        contextOnly: [4],
      },
    ]);
  });

  it('reads OpenAI messages with tools, tool calls and tool results', () => {
    const record = {
      messages: [
        { role: 'user', content: 'Weather in Shanghai?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Shanghai"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"temperature": 22}' },
        { role: 'assistant', content: '22 degrees.' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    };
    const { dialogues, skipped } = parseSftJsonl(lines(record));
    expect(skipped).toEqual([]);
    const [d] = dialogues;
    expect(d.format).toBe('openai');
    expect(d.tools).toEqual([{ name: 'get_weather', parameters: { type: 'object' } }]);
    expect(d.messages[1].toolCalls).toEqual([{ kind: 'plugin', name: 'get_weather', parameters: { location: 'Shanghai' }, id: 'c1' }]);
    expect(d.messages[2]).toMatchObject({ role: 'environment', name: 'plugin', content: '{"temperature": 22}' });
  });

  it('reads Alpaca as XTuner does: instruction + "\\n" + input, optional system', () => {
    const { dialogues } = parseSftJsonl(
      lines({ instruction: 'Add', input: '1 2', output: '3' }, { instruction: 'Greet', output: 'Hi', system: 'S' }),
    );
    expect(dialogues.map((d) => d.messages)).toEqual([
      [
        { role: 'user', content: 'Add\n1 2' },
        { role: 'assistant', content: '3' },
      ],
      [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'Greet\n' },
        { role: 'assistant', content: 'Hi' },
      ],
    ]);
  });

  it('skips every bad line with its line number and reason, keeping the good ones', () => {
    const text = lines(
      { instruction: 'ok', output: 'fine' }, // 1
      '{not json', // 2
      '', // 3: blank, not a record
      { something: 'else' }, // 4
      { conversation: [{ input: 'no reply' }] }, // 5
      { messages: [{ role: 'user', content: 'hi' }] }, // 6
      {
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: '', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{bad' } }] },
        ],
      }, // 7
      { instruction: 'x', output: '<nooutput>' }, // 8
      { conversation: 'nope' }, // 9
      { messages: [{ role: 'robot', content: 'x' }] }, // 10
      [1, 2], // 11
      {
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a' },
        ],
      }, // 12
    );
    const { dialogues, skipped } = parseSftJsonl(text);
    expect(dialogues.map((d) => d.line)).toEqual([1, 12]);
    expect(skipped.map((s) => [s.line, s.code])).toEqual([
      [2, 'TRAIN_SFT_BAD_JSON'],
      [4, 'TRAIN_SFT_BAD_SHAPE'],
      [5, 'TRAIN_SFT_NO_ASSISTANT'],
      [6, 'TRAIN_SFT_NO_ASSISTANT'],
      [7, 'TRAIN_SFT_BAD_TOOL'],
      [8, 'TRAIN_SFT_NO_ASSISTANT'],
      [9, 'TRAIN_SFT_BAD_SHAPE'],
      [10, 'TRAIN_SFT_BAD_SHAPE'],
      [11, 'TRAIN_SFT_BAD_SHAPE'],
    ]);
    for (const s of skipped) expect(s.reason.length).toBeGreaterThan(5);
    expect(skipped[4].reason).toMatch(/not valid JSON/);
  });

  it('honours a forced format and refuses an unknown one', () => {
    const { skipped } = parseSftJsonl(lines({ instruction: 'a', output: 'b' }), { format: 'openai' });
    expect(skipped[0]).toMatchObject({ line: 1, code: 'TRAIN_SFT_BAD_SHAPE' });
    expect(() => parseSftJsonl('', { format: 'sharegpt' as never })).toThrow(/Unknown SFT format/);
  });
});
