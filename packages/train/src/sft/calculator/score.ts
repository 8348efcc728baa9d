import { type OpenAIChatMessage, type OpenAIToolCall, parseInternLM2Response } from '@puyu/formats/chat';
import { CalculatorError, evaluateExpression, formatNumber, sameValue } from './expression.js';
import { type CalculatorDialogue, type CalculatorTurn, toolResultJson } from './generate.js';

/**
 * Scoring of a model on held-out calculator dialogues. Pure functions: the caller sends
 * `calculatorPrompt(item)` to any server, passes the first assistant response to
 * `scoreCalculatorCall`, sends `calculatorFollowUp(...)` for the final answer and scores that.
 */

/** What issue 11 asks of the fine-tuned model. */
export const CALCULATOR_TARGETS = { correctCallRate: 0.9, finalAnswerRate: 0.8 } as const;

/** A model response: raw InternLM2 text (with action markers) or an OpenAI assistant message. */
export type CalculatorResponse = string | { content?: string | null; tool_calls?: readonly OpenAIToolCall[] | null };

export interface CallVerdict {
  /** A `calculator` call whose arguments are `{"expression": string}` and the expression parses. */
  wellFormed: boolean;
  /** Well-formed and the expression's value equals the expected one. */
  correct: boolean;
  expression?: string;
  value?: number;
  /** Why it is not well-formed / not correct. */
  reason?: string;
}

export interface AnswerVerdict {
  correct: boolean;
  /** The last number in the answer, if any. */
  number?: number;
}

export interface CalculatorItemVerdict {
  id: string;
  call: CallVerdict;
  answer?: AnswerVerdict;
}

const lastTurn = (item: CalculatorDialogue): CalculatorTurn => {
  const turn = item.turns.at(-1);
  if (!turn)
    throw new CalculatorError('TRAIN_CALC_BAD_OPTIONS', `Calculator item ${item.id} has no turns; score held-out lines as written.`);
  return turn;
};

/** The exact value of the item's last question (the stored result is rounded for display). */
export const expectedValue = (item: CalculatorDialogue): number => evaluateExpression(lastTurn(item).expression);

/** The conversation up to and including the last user question: what the model is asked. */
export function calculatorPrompt(item: CalculatorDialogue): OpenAIChatMessage[] {
  const lastUser = item.messages.findLastIndex((m) => m.role === 'user');
  return item.messages.slice(0, lastUser + 1);
}

type RawCall = { name: string; parameters: unknown } | { error: string };

function firstCall(response: CalculatorResponse): RawCall | undefined {
  if (typeof response === 'string') {
    const parsed = parseInternLM2Response(response);
    const call = parsed.toolCalls[0];
    if (call)
      return call.kind === 'plugin'
        ? { name: call.name, parameters: call.parameters }
        : { error: 'the call uses the interpreter, not a plugin' };
    const error = parsed.errors[0];
    return error ? { error: `${error.code}: ${error.message}` } : undefined;
  }
  const call = response.tool_calls?.[0];
  if (!call) return undefined;
  try {
    return { name: call.function.name, parameters: JSON.parse(call.function.arguments) };
  } catch {
    return { error: 'the call arguments are not JSON' };
  }
}

/** Judges the model's first response to `calculatorPrompt(item)`. */
export function scoreCalculatorCall(item: CalculatorDialogue, response: CalculatorResponse): CallVerdict {
  const call = firstCall(response);
  if (call === undefined) return { wellFormed: false, correct: false, reason: 'no tool call' };
  if ('error' in call) return { wellFormed: false, correct: false, reason: call.error };
  if (call.name !== 'calculator')
    return { wellFormed: false, correct: false, reason: `calls ${JSON.stringify(call.name)}, not calculator` };
  const params = call.parameters;
  const expression =
    typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>).expression : undefined;
  if (typeof expression !== 'string') return { wellFormed: false, correct: false, reason: 'parameters lack a string "expression"' };
  let value: number;
  try {
    value = evaluateExpression(expression);
  } catch (e) {
    // An expression the tool rejects is a malformed call, whatever the model meant.
    return { wellFormed: false, correct: false, expression, reason: e instanceof Error ? e.message : String(e) };
  }
  // Any expression with the right value counts (4*3 for 3*4); the tolerance absorbs float noise
  // between equivalent orders of operations.
  const correct = sameValue(value, expectedValue(item), 1e-6);
  return {
    wellFormed: true,
    correct,
    expression,
    value,
    ...(correct ? {} : { reason: `evaluates to ${formatNumber(value)}, expected ${lastTurn(item).result}` }),
  };
}

/**
 * The messages for the second request: the prompt, the model's call, and the calculator's
 * answer to the expression the model actually wrote (so a wrong call yields a wrong result,
 * as with a real tool). Undefined when the call was not well-formed: nothing to answer.
 */
export function calculatorFollowUp(item: CalculatorDialogue, verdict: CallVerdict, callText = ''): OpenAIChatMessage[] | undefined {
  if (!verdict.wellFormed || verdict.expression === undefined || verdict.value === undefined) return undefined;
  const id = `call_${item.id}_eval`;
  return [
    ...calculatorPrompt(item),
    {
      role: 'assistant',
      content: callText,
      tool_calls: [
        { id, type: 'function', function: { name: 'calculator', arguments: JSON.stringify({ expression: verdict.expression }) } },
      ],
    },
    { role: 'tool', tool_call_id: id, content: toolResultJson(formatNumber(verdict.value)) },
  ];
}

const FULL_WIDTH = /[\uFF10-\uFF19\uFF0E\uFF0D\u2212]/g;

/**
 * The last number in a text, as OpenCompass-style extractors read final answers: full-width
 * digits and minus signs are folded to ASCII and thousands separators ("1,234") are dropped.
 */
export function extractLastNumber(text: string): number | undefined {
  const ascii = text.replace(FULL_WIDTH, (c) => {
    if (c === '．') return '.';
    if (c === '－' || c === '−') return '-';
    return String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48);
  });
  const matches = ascii.match(/-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?/g);
  const last = matches?.at(-1);
  return last === undefined ? undefined : Number(last.replaceAll(',', ''));
}

/** Judges the final answer the model gave after the tool result. */
export function scoreFinalAnswer(item: CalculatorDialogue, response: CalculatorResponse): AnswerVerdict {
  const text = typeof response === 'string' ? parseInternLM2Response(response).content : (response.content ?? '');
  const number = extractLastNumber(text);
  if (number === undefined) return { correct: false };
  const expected = expectedValue(item);
  // Results are shown with RESULT_DECIMALS places, so half a unit in the last place is allowed.
  const correct = Math.abs(number - expected) <= Math.max(5.1e-5, 1e-6 * Math.abs(expected));
  return { correct, number };
}

/** Scores one item from its two responses (`final` absent: the call was not answered). */
export function scoreCalculatorItem(item: CalculatorDialogue, call: CalculatorResponse, final?: CalculatorResponse): CalculatorItemVerdict {
  const verdict: CalculatorItemVerdict = { id: item.id, call: scoreCalculatorCall(item, call) };
  if (final !== undefined) verdict.answer = scoreFinalAnswer(item, final);
  return verdict;
}

export interface CalculatorScoreSummary {
  items: number;
  wellFormedRate: number;
  /** Well-formed calls with the right value, over all items (target ≥ 0.9). */
  correctCallRate: number;
  /** Correct final answers over all items; a missing answer counts as wrong (target ≥ 0.8). */
  finalAnswerRate: number;
  meetsCallTarget: boolean;
  meetsAnswerTarget: boolean;
}

export function summarizeCalculatorScores(verdicts: readonly CalculatorItemVerdict[]): CalculatorScoreSummary {
  const n = verdicts.length;
  const rate = (count: number) => (n === 0 ? 0 : count / n);
  const wellFormedRate = rate(verdicts.filter((v) => v.call.wellFormed).length);
  const correctCallRate = rate(verdicts.filter((v) => v.call.correct).length);
  const finalAnswerRate = rate(verdicts.filter((v) => v.answer?.correct === true).length);
  return {
    items: n,
    wellFormedRate,
    correctCallRate,
    finalAnswerRate,
    meetsCallTarget: n > 0 && correctCallRate >= CALCULATOR_TARGETS.correctCallRate,
    meetsAnswerTarget: n > 0 && finalAnswerRate >= CALCULATOR_TARGETS.finalAnswerRate,
  };
}
