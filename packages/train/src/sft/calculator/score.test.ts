import { renderInternLM2ToolCall } from '@puyu/formats/chat';
import { describe, expect, it } from 'vitest';
import { type CalculatorDialogue, type CalculatorTurn, generateCalculatorData } from './generate.js';
import {
  calculatorFollowUp,
  calculatorPrompt,
  extractLastNumber,
  scoreCalculatorCall,
  scoreCalculatorItem,
  scoreFinalAnswer,
  summarizeCalculatorScores,
} from './score.js';

const { heldout } = generateCalculatorData({ train: 0, seed: 5 });
const item = heldout.find((d) => d.turns.length === 1 && d.turns[0]?.result === String(Number(d.turns[0]?.result))) as CalculatorDialogue;
const turn = item.turns[0] as CalculatorTurn;

const raw = (expression: string, name = 'calculator') =>
  `Let me calculate.${renderInternLM2ToolCall({ kind: 'plugin', name, parameters: { expression } })}<|im_end|>`;
const openai = (args: string, name = 'calculator') => ({
  content: 'Let me calculate.',
  tool_calls: [{ id: 'c1', type: 'function' as const, function: { name, arguments: args } }],
});

describe('scoreCalculatorCall', () => {
  it('accepts the right call in raw InternLM2 text and in OpenAI form, and equivalent expressions', () => {
    expect(scoreCalculatorCall(item, raw(turn.expression))).toMatchObject({ wellFormed: true, correct: true, expression: turn.expression });
    expect(scoreCalculatorCall(item, openai(JSON.stringify({ expression: turn.expression })))).toMatchObject({
      wellFormed: true,
      correct: true,
    });
    expect(scoreCalculatorCall(item, raw(`(${turn.expression})*1`)).correct).toBe(true);
    expect(scoreCalculatorCall(item, raw(` ${turn.expression.replaceAll('*', ' × ')} `)).correct).toBe(true);
  });

  it('flags malformed calls', () => {
    const cases: Array<[string | ReturnType<typeof openai>, RegExp]> = [
      ['The answer is 42.', /no tool call/],
      [raw(turn.expression, 'search'), /not calculator/],
      ['<|action_start|><|plugin|>\n{"name": "calculator", "parameters": {"expression": <|action_end|>', /TOOL_CALL/],
      ['<|action_start|><|plugin|>\n{"name": "calculator", "parameters": {"expr": "1+2"}}<|action_end|>', /expression/],
      ['<|action_start|><|interpreter|>\n```python\nprint(1+2)\n```<|action_end|>', /interpreter/],
      [raw('1+'), /Cannot parse/],
      [raw('sqrt(4)'), /Cannot parse/],
      [raw('1/0'), /divides by zero/],
      [openai('{"expression": '), /not JSON/],
      [openai('{"expression": 12}'), /expression/],
    ];
    for (const [response, reason] of cases) {
      const v = scoreCalculatorCall(item, response);
      expect(v.wellFormed, JSON.stringify(response)).toBe(false);
      expect(v.correct).toBe(false);
      expect(v.reason).toMatch(reason);
    }
  });

  it('marks a well-formed call with the wrong value as not correct', () => {
    const v = scoreCalculatorCall(item, raw(`${turn.expression}+1`));
    expect(v).toMatchObject({ wellFormed: true, correct: false });
    expect(v.reason).toMatch(/expected/);
  });
});

describe('final answers', () => {
  it('extracts the last number, with thousands separators and full-width digits', () => {
    expect(extractLastNumber('3 + 4 = 7.')).toBe(7);
    expect(extractLastNumber('The total is 1,234.5 yuan')).toBe(1234.5);
    expect(extractLastNumber('答案是１２３４。')).toBe(1234);
    expect(extractLastNumber('现在是－３度')).toBe(-3);
    expect(extractLastNumber('It is -12.75.')).toBe(-12.75);
    expect(extractLastNumber('no number')).toBeUndefined();
  });

  it('accepts the stated result and rejects other numbers or none', () => {
    expect(scoreFinalAnswer(item, `The answer is ${turn.result}.<|im_end|>`)).toEqual({ correct: true, number: Number(turn.result) });
    expect(scoreFinalAnswer(item, { content: `结果是 ${turn.result}。` }).correct).toBe(true);
    expect(scoreFinalAnswer(item, `The answer is ${Number(turn.result) + 1}.`).correct).toBe(false);
    expect(scoreFinalAnswer(item, 'I do not know.').correct).toBe(false);
  });

  it('allows the display rounding of non-terminating results, not coarser', () => {
    const third = { ...item, turns: [{ ...turn, expression: '10/3', result: '3.3333' }] };
    expect(scoreFinalAnswer(third, 'It comes to 3.3333.').correct).toBe(true);
    expect(scoreFinalAnswer(third, 'It comes to 3.33.').correct).toBe(false);
  });
});

describe('prompt, follow-up and summary', () => {
  it('prompts with the conversation up to the last question and answers the model’s own call', () => {
    const multi = heldout.find((d) => d.turns.length === 2) as CalculatorDialogue;
    const prompt = calculatorPrompt(multi);
    expect(prompt.at(-1)).toEqual({ role: 'user', content: multi.turns[1]?.question });
    expect(prompt.filter((m) => m.role === 'tool')).toHaveLength(1);
    const verdict = scoreCalculatorCall(item, raw('2+3'));
    const follow = calculatorFollowUp(item, verdict);
    expect(follow?.at(-1)).toMatchObject({ role: 'tool', content: '{"result": 5}' });
    expect(calculatorFollowUp(item, scoreCalculatorCall(item, 'no call'))).toBeUndefined();
  });

  it('computes the two rates the issue asks for', () => {
    const items = heldout.slice(0, 10);
    const verdicts = items.map((d, i) => {
      const t = d.turns.at(-1) as { expression: string; result: string };
      const call = i < 9 ? raw(t.expression) : 'no call';
      const final = i < 8 ? `The answer is ${t.result}.` : 'The answer is 0.5555.';
      return scoreCalculatorItem(d, call, i < 9 ? final : undefined);
    });
    expect(summarizeCalculatorScores(verdicts)).toEqual({
      items: 10,
      wellFormedRate: 0.9,
      correctCallRate: 0.9,
      finalAnswerRate: 0.8,
      meetsCallTarget: true,
      meetsAnswerTarget: true,
    });
    expect(summarizeCalculatorScores([])).toMatchObject({ items: 0, meetsCallTarget: false });
  });
});
