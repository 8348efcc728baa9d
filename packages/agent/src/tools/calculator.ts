import { z } from 'zod';
import { defineTool } from '../core/tool.js';

/**
 * The calculator tool, on the grammar of the calculator SFT data (@puyu/train's
 * sft/calculator/expression.ts): numbers, + - * /, parentheses, unary minus; × ÷ − accepted.
 * Written again here rather than imported because @puyu/train (ggml, koffi) must not be an
 * agent dependency; the tests check both give the same values on the same expressions' rules.
 * Recursive descent, never eval; length and depth are bounded so model garbage cannot hang it.
 */
export const MAX_EXPRESSION_LENGTH = 256;
const MAX_DEPTH = 64;
const ALIASES: Record<string, string> = { '×': '*', '÷': '/', '−': '-', '（': '(', '）': ')' };

export class CalculatorInputError extends Error {}

export function evaluateArithmetic(source: string): number {
  if (typeof source !== 'string' || source.trim() === '') throw new CalculatorInputError('the expression is empty');
  if (source.length > MAX_EXPRESSION_LENGTH)
    throw new CalculatorInputError(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens: string[] = [];
  for (let i = 0; i < source.length; ) {
    const ch = source[i] as string;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const num = /^(?:\d+(?:\.\d+)?|\.\d+)/.exec(source.slice(i));
    if (num) {
      tokens.push(num[0]);
      i += num[0].length;
      continue;
    }
    const op = ALIASES[ch] ?? ch;
    if (!'+-*/()'.includes(op))
      throw new CalculatorInputError(`unexpected character ${JSON.stringify(ch)} at ${i}; use numbers, + - * / and parentheses`);
    tokens.push(op);
    i++;
  }
  let pos = 0;
  const expr = (depth: number): number => {
    if (depth > MAX_DEPTH) throw new CalculatorInputError('the expression is nested too deeply');
    let v = term(depth);
    while (tokens[pos] === '+' || tokens[pos] === '-') v = tokens[pos++] === '+' ? v + term(depth) : v - term(depth);
    return v;
  };
  const term = (depth: number): number => {
    let v = unary(depth);
    while (tokens[pos] === '*' || tokens[pos] === '/') {
      const op = tokens[pos++];
      const r = unary(depth);
      if (op === '/' && r === 0) throw new CalculatorInputError('division by zero');
      v = op === '*' ? v * r : v / r;
    }
    return v;
  };
  const unary = (depth: number): number => {
    if (depth > MAX_DEPTH) throw new CalculatorInputError('the expression is nested too deeply');
    if (tokens[pos] === '-') {
      pos++;
      return -unary(depth + 1);
    }
    if (tokens[pos] === '+') {
      pos++;
      return unary(depth + 1);
    }
    const t = tokens[pos++];
    if (t === undefined) throw new CalculatorInputError('the expression ends too early');
    if (t === '(') {
      const v = expr(depth + 1);
      if (tokens[pos] !== ')') throw new CalculatorInputError('a parenthesis is not closed');
      pos++;
      return v;
    }
    if (/^[\d.]/.test(t)) return Number(t);
    throw new CalculatorInputError(`unexpected ${JSON.stringify(t)}`);
  };
  const value = expr(0);
  if (pos < tokens.length) throw new CalculatorInputError('there is text after the expression');
  if (!Number.isFinite(value)) throw new CalculatorInputError('the result is not a finite number');
  return value;
}

/** Integers as integers, others rounded to 4 places: the form the calculator SFT data uses. */
export function formatResult(value: number): number {
  const rounded = Number(value.toFixed(4));
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** `calculator({expression})` → `{"result": n}`, the exact tool the calculator SFT model learnt. */
export const calculatorTool = defineTool({
  name: 'calculator',
  description: 'Evaluate an arithmetic expression',
  input: z.object({ expression: z.string() }),
  run: ({ expression }) => ({ result: formatResult(evaluateArithmetic(expression)) }),
});
