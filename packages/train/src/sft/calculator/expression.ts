import { PuyuError } from '@puyu/core';

/** Errors of the calculator data tools: bad expressions, division by zero, bad options. */
export class CalculatorError extends PuyuError {}

export type BinaryOp = '+' | '-' | '*' | '/';

/** Arithmetic expression tree. `text` keeps the literal as written ("12.50" stays "12.50"). */
export type Expr =
  | { kind: 'num'; value: number; text: string }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'bin'; op: BinaryOp; left: Expr; right: Expr };

/** Longest expression the calculator accepts; model output can be arbitrarily long garbage. */
export const MAX_EXPRESSION_LENGTH = 256;
// Recursion guard: "((((((..." from a broken model must not overflow the stack.
const MAX_DEPTH = 64;

// The canonical form is ASCII, but a calculator tool should still accept the symbols people
// (and models trained on our questions) write, so these are read as their ASCII operators.
const OPERATOR_ALIASES: Record<string, string> = { '×': '*', '÷': '/', '−': '-', '（': '(', '）': ')' };

type Token = { type: 'num'; text: string } | { type: 'op'; op: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const number = /^(?:\d+(?:\.\d+)?|\.\d+)/.exec(source.slice(i));
    if (number) {
      tokens.push({ type: 'num', text: number[0] });
      i += number[0].length;
      continue;
    }
    const op = OPERATOR_ALIASES[ch] ?? ch;
    if ('+-*/()'.includes(op)) {
      tokens.push({ type: 'op', op });
      i++;
      continue;
    }
    throw syntaxError(source, `unexpected character ${JSON.stringify(ch)} at ${i}`);
  }
  return tokens;
}

function syntaxError(source: string, why: string): CalculatorError {
  return new CalculatorError(
    'TRAIN_CALC_SYNTAX',
    `Cannot parse calculator expression ${JSON.stringify(source.slice(0, 80))}: ${why}. Use numbers, + - * /, parentheses and unary minus.`,
    { details: { expression: source.slice(0, MAX_EXPRESSION_LENGTH) } },
  );
}

/**
 * Parses an arithmetic expression (recursive descent, no eval):
 *   expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ;
 *   unary := '-' unary | '+' unary | primary ; primary := number | '(' expr ')'.
 * Unary minus binds tighter than * and /, as in Python and most calculators.
 */
export function parseExpression(source: string): Expr {
  if (typeof source !== 'string' || source.trim() === '') throw syntaxError(String(source), 'it is empty');
  if (source.length > MAX_EXPRESSION_LENGTH) throw syntaxError(source, `it is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens = tokenize(source);
  let pos = 0;
  const peekOp = (): string | undefined => {
    const t = tokens[pos];
    return t?.type === 'op' ? t.op : undefined;
  };
  const expr = (depth: number): Expr => {
    if (depth > MAX_DEPTH) throw syntaxError(source, 'it is nested too deeply');
    let left = term(depth);
    for (let op = peekOp(); op === '+' || op === '-'; op = peekOp()) {
      pos++;
      left = { kind: 'bin', op, left, right: term(depth) };
    }
    return left;
  };
  const term = (depth: number): Expr => {
    let left = unary(depth);
    for (let op = peekOp(); op === '*' || op === '/'; op = peekOp()) {
      pos++;
      left = { kind: 'bin', op, left, right: unary(depth) };
    }
    return left;
  };
  const unary = (depth: number): Expr => {
    if (depth > MAX_DEPTH) throw syntaxError(source, 'it is nested too deeply');
    const op = peekOp();
    if (op === '-') {
      pos++;
      return { kind: 'neg', arg: unary(depth + 1) };
    }
    if (op === '+') {
      pos++;
      return unary(depth + 1);
    }
    return primary(depth);
  };
  const primary = (depth: number): Expr => {
    const t = tokens[pos];
    if (t === undefined) throw syntaxError(source, 'it ends too early');
    pos++;
    if (t.type === 'num') return { kind: 'num', value: Number(t.text), text: t.text };
    if (t.op === '(') {
      const inner = expr(depth + 1);
      if (peekOp() !== ')') throw syntaxError(source, 'a parenthesis is not closed');
      pos++;
      return inner;
    }
    throw syntaxError(source, `unexpected ${JSON.stringify(t.op)}`);
  };
  const tree = expr(0);
  if (pos < tokens.length) throw syntaxError(source, 'there is text after the expression');
  return tree;
}

/** Evaluates a tree in doubles; division by zero and overflow are errors, never Infinity. */
export function evaluateTree(tree: Expr): number {
  let value: number;
  switch (tree.kind) {
    case 'num':
      value = tree.value;
      break;
    case 'neg':
      value = -evaluateTree(tree.arg);
      break;
    case 'bin': {
      const a = evaluateTree(tree.left);
      const b = evaluateTree(tree.right);
      if (tree.op === '/' && b === 0) {
        throw new CalculatorError('TRAIN_CALC_DIV_ZERO', 'The calculator expression divides by zero; its value is undefined.');
      }
      value = tree.op === '+' ? a + b : tree.op === '-' ? a - b : tree.op === '*' ? a * b : a / b;
      break;
    }
  }
  if (!Number.isFinite(value)) {
    throw new CalculatorError('TRAIN_CALC_DIV_ZERO', 'The calculator expression overflows; its value is not a finite number.');
  }
  return value;
}

/** Parses and evaluates: the calculator tool itself. */
export function evaluateExpression(source: string): number {
  return evaluateTree(parseExpression(source));
}

const PRECEDENCE: Record<BinaryOp, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

/** How to print an expression: the canonical tool form, or a human form for questions. */
export interface ExpressionStyle {
  /** Spaces around binary operators ("12 + 7"). */
  spaced?: boolean;
  /** × ÷ − for binary operators, as in textbooks (implies nothing about spacing). */
  symbols?: boolean;
}

const SYMBOLS: Record<BinaryOp, string> = { '+': '+', '-': '−', '*': '×', '/': '÷' };

/**
 * Canonical ASCII form (default style): no spaces, the fewest parentheses that keep the tree.
 * A right operand of equal precedence is always parenthesised (`a+(b+c)`), so printing and
 * re-parsing gives back the same tree and the same floating-point value, not just an equal
 * real number.
 */
export function formatExpression(tree: Expr, style: ExpressionStyle = {}): string {
  switch (tree.kind) {
    case 'num':
      return tree.text;
    case 'neg': {
      const inner = formatExpression(tree.arg, style);
      return tree.arg.kind === 'bin' ? `-(${inner})` : `-${inner}`;
    }
    case 'bin': {
      const p = PRECEDENCE[tree.op];
      const l = formatExpression(tree.left, style);
      const r = formatExpression(tree.right, style);
      const left = tree.left.kind === 'bin' && PRECEDENCE[tree.left.op] < p ? `(${l})` : l;
      const wrapRight = (tree.right.kind === 'bin' && PRECEDENCE[tree.right.op] <= p) || tree.right.kind === 'neg';
      const right = wrapRight ? `(${r})` : r;
      const op = style.symbols ? SYMBOLS[tree.op] : tree.op;
      return style.spaced ? `${left} ${op} ${right}` : `${left}${op}${right}`;
    }
  }
}

/** Decimal places a result keeps: enough for money and simple fractions, short for a tiny model. */
export const RESULT_DECIMALS = 4;

/**
 * How results are written (tool JSON and final answers): integers as integers, other values
 * rounded to RESULT_DECIMALS places with trailing zeros dropped (0.1+0.2 → "0.3", 10/3 → "3.3333").
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`formatNumber: ${value} is not finite`);
  const rounded = Number(value.toFixed(RESULT_DECIMALS));
  // Rounding can leave -0 ("-0.00001"), which JSON and people write as 0.
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** Whether two values agree up to float noise (the tool's own answer vs another route to it). */
export function sameValue(a: number, b: number, relTol = 1e-9): boolean {
  return Math.abs(a - b) <= relTol * Math.max(1, Math.abs(a), Math.abs(b));
}
