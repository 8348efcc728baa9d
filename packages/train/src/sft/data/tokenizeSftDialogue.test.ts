import { existsSync } from 'node:fs';
import { INTERNLM2_SPECIAL_TOKENS, renderInternLM2Chat } from '@puyu/formats/chat';
import { loadHfTokenizer, loadTokenizer, type SentencePieceTokenizer } from '@puyu/formats/tokenizer';
import { defaultTokenizerPath } from '@puyu/model';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { parseSftJsonl, type SftDialogue } from './readSftJsonl.js';
import { renderSftSegments, sftRenderOptions, tokenizeSftDialogue, tokenizeSftDialogues } from './tokenizeSftDialogue.js';

const TOOL_DIALOGUE = {
  messages: [
    { role: 'system', content: 'You are helpful.' },
    { role: 'user', content: 'Weather in Shanghai?' },
    {
      role: 'assistant',
      content: 'Let me check.',
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"location": "上海"}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', content: '{"temperature": 22}' },
    { role: 'assistant', content: '\n22 °C, sunny 😀.' }, // leading "\n" merges with the header's in BPE
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } } }],
};
const XTUNER_DIALOGUE = {
  conversation: [
    { system: 'Be brief.', input: 'Hi', output: 'Hello!' },
    { input: 'And?', output: 'Bye.', output_with_loss: false },
    { input: 'Last', output: ' spaced  ' },
  ],
};

function dialogues(): SftDialogue[] {
  const text = [TOOL_DIALOGUE, XTUNER_DIALOGUE, { instruction: 'Add', input: '1 2', output: '3' }].map((r) => JSON.stringify(r)).join('\n');
  const { dialogues, skipped } = parseSftJsonl(text);
  expect(skipped).toEqual([]);
  return dialogues;
}

/** The text of the tokens with weight 1, joined: exactly what the model is trained to produce. */
function trainedText(tok: SentencePieceTokenizer, ids: Int32Array, mask: Uint8Array): string {
  return tok.decode(Array.from(ids).filter((_, i) => mask[i] === 1));
}

function checkTokenizer(tok: SentencePieceTokenizer) {
  it('renders segment by segment exactly as renderInternLM2Chat renders the whole dialogue', () => {
    for (const d of dialogues()) {
      const segments = renderSftSegments(d);
      expect(segments.map((s) => s.context + s.completion).join('')).toBe(renderInternLM2Chat(d.messages, sftRenderOptions(d)));
    }
  });

  it('encodes segment by segment to the same ids as one encode of the whole text', () => {
    for (const d of dialogues()) {
      const ex = tokenizeSftDialogue(d, tok);
      if (!('ids' in ex)) throw new Error('skipped');
      const whole = [tok.bosId, ...tok.encode(renderInternLM2Chat(d.messages, sftRenderOptions(d)), { parseSpecial: true })];
      expect(Array.from(ex.ids)).toEqual(whole);
    }
  });

  it('weights exactly the assistant turns: text, tool call and <|im_end|>, not the header or context-only turns', () => {
    const [tool, xtuner, alpaca] = tokenizeSftDialogues(dialogues(), tok).examples;
    const call = '<|action_start|><|plugin|>\n{"name": "get_weather", "parameters": {"location": "上海"}}<|action_end|>';
    // A reply starting with "\n" after `assistant\n`: where BPE merges the two into one "\n\n"
    // token (the InternLM2 vocabulary does, the tiny one does not) that token is trained.
    const merged =
      tok.encode('assistant\n\n22', { parseSpecial: true }).length <
      tok.encode('assistant\n', { parseSpecial: true }).length + tok.encode('\n22', { parseSpecial: true }).length;
    const reply = `${merged ? '\n\n' : '\n'}22 °C, sunny 😀.<|im_end|>`;
    expect(trainedText(tok, tool.ids, tool.mask)).toBe(`Let me check.${call}<|im_end|>${reply}`);
    expect(trainedText(tok, xtuner.ids, xtuner.mask)).toBe('Hello!<|im_end|> spaced  <|im_end|>');
    expect(trainedText(tok, alpaca.ids, alpaca.mask)).toBe('3<|im_end|>');
    expect(tool.ids[0]).toBe(tok.bosId);
    expect(tool.mask[0]).toBe(0);
  });

  it('truncates or skips a dialogue longer than maxTokens and reports the skip', () => {
    const ds = dialogues();
    const full = tokenizeSftDialogues(ds, tok).examples;
    const max = full[0].ids.length - 3;
    const cut = tokenizeSftDialogues(ds, tok, { maxTokens: max });
    expect(cut.examples[0].ids.length).toBe(max);
    expect(cut.examples[0].truncated).toBe(true);
    expect(Array.from(cut.examples[0].ids)).toEqual(Array.from(full[0].ids.subarray(0, max)));
    const skip = tokenizeSftDialogues(ds, tok, { maxTokens: max, overflow: 'skip' });
    expect(skip.skipped).toContainEqual(expect.objectContaining({ line: 1, code: 'TRAIN_SFT_TOO_LONG' }));
    const tiny = tokenizeSftDialogues(ds, tok, { maxTokens: 4 });
    expect(tiny.examples).toEqual([]);
    expect(tiny.skipped.map((s) => s.line)).toEqual([1, 2, 3]);
  });
}

describe('SFT tokenization on the shipped tiny tokenizer', () => {
  const path = defaultTokenizerPath();
  if (!path) throw new Error('the shipped tokenizer packages/model/assets/puyu-tiny.model is missing');
  checkTokenizer(loadTokenizer(path));
});

const hasReal = existsSync(INTERNLM2_TOKENIZER_DIR);
if (!hasReal) console.log(`skipping real-tokenizer SFT tests: ${INTERNLM2_TOKENIZER_DIR} is absent`);

describe.skipIf(!hasReal)('SFT tokenization on the real InternLM2 tokenizer', () => {
  const tok = hasReal ? loadHfTokenizer(INTERNLM2_TOKENIZER_DIR).tokenizer : (undefined as never);
  if (hasReal) checkTokenizer(tok);

  it('puts the special ids 92538–92543 where the protocol has them, weighted as expected', () => {
    const [d] = dialogues();
    const ex = tokenizeSftDialogue(d, tok);
    if (!('ids' in ex)) throw new Error('skipped');
    const ids = Array.from(ex.ids);
    // With `<s>` as text the HF tokenizer gives the same ids, BOS included.
    expect(ids).toEqual(tok.encode(renderInternLM2Chat(d.messages, { ...sftRenderOptions(d), bosToken: '<s>' }), { parseSpecial: true }));
    const S = INTERNLM2_SPECIAL_TOKENS;
    const at = (id: number) => ids.flatMap((x, i) => (x === id ? [i] : []));
    const weights = (id: number) => at(id).map((i) => ex.mask[i]);
    // Turns: system, plugin list, user, assistant, environment, assistant.
    expect(weights(S['<|im_start|>'])).toEqual([0, 0, 0, 0, 0, 0]);
    expect(weights(S['<|im_end|>'])).toEqual([0, 0, 0, 1, 0, 1]);
    expect(weights(S['<|action_start|>'])).toEqual([1]);
    expect(weights(S['<|action_end|>'])).toEqual([1]);
    // <|plugin|>: the tool-list sub-role, the call, the environment sub-role.
    expect(weights(S['<|plugin|>'])).toEqual([0, 1, 0]);
    expect(at(S['<|interpreter|>'])).toEqual([]);
    // The call's channel marker follows <|action_start|> directly.
    expect(ids[at(S['<|action_start|>'])[0] + 1]).toBe(S['<|plugin|>']);
    // The header `<|im_start|>assistant\n` is context: the token after <|im_start|> is not trained.
    for (const i of at(S['<|im_start|>'])) expect(ex.mask[i + 1]).toBe(0);
  });

  it('uses the interpreter channel for the IPythonInterpreter tool', () => {
    const record = {
      messages: [
        { role: 'user', content: '2**10?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'p', type: 'function', function: { name: 'IPythonInterpreter', arguments: '{"command": "print(2**10)"}' } }],
        },
        { role: 'tool', tool_call_id: 'p', content: '1024' },
        { role: 'assistant', content: '1024' },
      ],
      tools: [{ type: 'function', function: { name: 'IPythonInterpreter' } }],
    };
    const [d] = parseSftJsonl(JSON.stringify(record)).dialogues;
    const ex = tokenizeSftDialogue(d, tok);
    if (!('ids' in ex)) throw new Error('skipped');
    const S = INTERNLM2_SPECIAL_TOKENS;
    const interp = Array.from(ex.ids).flatMap((x, i) => (x === S['<|interpreter|>'] ? [ex.mask[i]] : []));
    expect(interp).toEqual([0, 1, 0]); // system name=<|interpreter|>, the call, environment name=<|interpreter|>
  });
});
