import { renderInternLM2Chat } from '@puyu/formats/chat';
import { loadTokenizer } from '@puyu/formats/tokenizer';
import { defaultTokenizerPath } from '@puyu/model';
import { describe, expect, it } from 'vitest';
import { sftRenderOptions } from '../../sft/data/tokenizeSftDialogue.js';
import { dpoBatch } from './DpoBatcher.js';
import { parseDpoJsonl } from './readDpoJsonl.js';
import { tokenizeDpoPairs } from './tokenizeDpoPair.js';

const TOOLS = [{ type: 'function', function: { name: 'calculator', description: 'Evaluate', parameters: { type: 'object' } } }];
const CALL = {
  role: 'assistant',
  content: 'Let me calculate.',
  tool_calls: [{ id: 'c1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"2+3"}' } }],
};

describe('parseDpoJsonl', () => {
  it('reads text and messages prompts, text and message replies; skips bad lines with line number and reason', () => {
    const lines = [
      JSON.stringify({ prompt: 'What is 2+3?', chosen: '5', rejected: '6' }),
      '',
      JSON.stringify({
        prompt: [
          { role: 'system', content: 'Be exact.' },
          { role: 'user', content: '2+3?' },
        ],
        chosen: CALL,
        rejected: [{ role: 'assistant', content: 'calculator(2+3)' }],
        tools: TOOLS,
      }),
      '{not json',
      JSON.stringify({ prompt: 'hi', chosen: 'same', rejected: 'same' }),
      JSON.stringify({ prompt: 'hi', chosen: 'x' }),
      JSON.stringify({
        prompt: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a' },
        ],
        chosen: 'x',
        rejected: 'y',
      }),
      JSON.stringify({ prompt: 'q', chosen: { role: 'user', content: 'x' }, rejected: 'y' }),
      JSON.stringify({ prompt: 'q', chosen: { role: 'assistant', content: 'x', tool_calls: 'nope' }, rejected: 'y' }),
      JSON.stringify([1, 2]),
    ];
    const r = parseDpoJsonl(lines.join('\n'));
    expect(r.pairs.map((p) => p.line)).toEqual([1, 3]);
    expect(r.skipped.map((s) => [s.line, s.code])).toEqual([
      [4, 'TRAIN_DPO_BAD_JSON'],
      [5, 'TRAIN_DPO_SAME_REPLY'],
      [6, 'TRAIN_DPO_BAD_SHAPE'],
      [7, 'TRAIN_DPO_BAD_SHAPE'],
      [8, 'TRAIN_DPO_BAD_SHAPE'],
      [9, 'TRAIN_DPO_BAD_TOOL'],
      [10, 'TRAIN_DPO_BAD_SHAPE'],
    ]);
    expect(r.skipped[2].reason).toMatch(/rejected/);
    const [text, tool] = r.pairs;
    expect(text.chosen.messages).toEqual([
      { role: 'user', content: 'What is 2+3?' },
      { role: 'assistant', content: '5' },
    ]);
    expect(tool.chosen.tools?.[0].name).toBe('calculator');
    expect(tool.chosen.messages.at(-1)?.toolCalls?.[0]).toMatchObject({ name: 'calculator', parameters: { expression: '2+3' } });
    expect(tool.rejected.messages.at(-1)).toEqual({ role: 'assistant', content: 'calculator(2+3)' });
  });

  it('earlier assistant turns of a messages prompt are context only; only the reply is masked in', () => {
    const prompt = [{ role: 'user', content: '2+3?' }, CALL, { role: 'tool', tool_call_id: 'c1', content: '{"result": 5}' }];
    const r = parseDpoJsonl(JSON.stringify({ prompt, chosen: 'It is 5.', rejected: 'It is 7.', tools: TOOLS }));
    expect(r.skipped).toEqual([]);
    const pair = r.pairs[0];
    expect(pair.chosen.contextOnly).toEqual([1]);
    const tok = loadTokenizer(defaultTokenizerPath() as string);
    const { examples } = tokenizeDpoPairs(r.pairs, tok, 10_000);
    const e = examples[0];
    // the reply, as the tokenizer decodes the masked tokens: the text and its <|im_end|>
    const replyOf = (s: { ids: Int32Array; mask: Uint8Array }) => tok.decode([...s.ids].filter((_, i) => s.mask[i] === 1));
    expect(replyOf(e.chosen)).toBe('It is 5.<|im_end|>');
    expect(replyOf(e.rejected)).toBe('It is 7.<|im_end|>');
    // the whole sequence is the InternLM2 rendering of prompt + reply, as SFT renders it
    const rendered = renderInternLM2Chat(pair.chosen.messages, sftRenderOptions(pair.chosen));
    expect(tok.decode([...e.chosen.ids].slice(1))).toBe(rendered);
    // a pair longer than the limit is reported, never cut
    const short = tokenizeDpoPairs(r.pairs, tok, 20);
    expect(short.examples).toEqual([]);
    expect(short.skipped[0]).toMatchObject({ line: 1, code: 'TRAIN_DPO_TOO_LONG' });
  });

  it('batches pairs as chosen/rejected rows with weights on reply targets only', () => {
    const tok = loadTokenizer(defaultTokenizerPath() as string);
    const r = parseDpoJsonl(
      [JSON.stringify({ prompt: 'a', chosen: 'b', rejected: 'cc dd' }), JSON.stringify({ prompt: 'e', chosen: 'f', rejected: 'g' })].join(
        '\n',
      ),
    );
    const { examples } = tokenizeDpoPairs(r.pairs, tok, 64);
    const refs = Float64Array.from([-1, -2, -3, -4]);
    const b = dpoBatch(examples, [1, 0], { seqLen: 64, padId: 2, lengthStep: 8, refs });
    expect(b.rows.length).toBe(4);
    const T = b.rows[0].length;
    expect(T % 8).toBe(0);
    expect([...b.ref]).toEqual([-3, -4, -1, -2]);
    const seqs = [examples[1].chosen, examples[1].rejected, examples[0].chosen, examples[0].rejected];
    seqs.forEach((s, row) => {
      const w = [...b.weights.subarray(row * T, row * T + T)];
      expect(w.reduce((x, y) => x + y, 0)).toBe([...s.mask].slice(1).reduce((x, y) => x + y, 0));
      for (let t = 0; t + 1 < s.ids.length; t++) {
        expect(b.targets[row * T + t]).toBe(s.ids[t + 1]);
        expect(w[t]).toBe(s.mask[t + 1]);
      }
    });
  });
});
