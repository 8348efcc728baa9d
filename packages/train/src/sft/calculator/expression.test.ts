import { describe, expect, it } from 'vitest';
import {
  CalculatorError,
  type Expr,
  evaluateExpression,
  formatExpression,
  formatNumber,
  parseExpression,
  sameValue,
} from './expression.js';
import { CalcRng } from './rng.js';

describe('evaluateExpression', () => {
  it.each([
    ['1+2', 3],
    ['2+3*4', 14],
    ['(2+3)*4', 20],
    ['10-4-3', 3],
    ['10-(4-3)', 9],
    ['100/5/2', 10],
    ['100/(5/2)', 40],
    ['-5+3', -2],
    ['3*(-2)', -6],
    ['5-(-2)', 7],
    ['--4', 4],
    ['-(2+3)*4', -20],
    ['1.5*4', 6],
    ['.5+.25', 0.75],
    [' 12 + 7 ', 19],
    ['12 × 3 ÷ 4 − 1', 8],
    ['（1+2）*3', 9],
    ['7/2', 3.5],
  ])('%s = %s', (source, value) => {
    expect(evaluateExpression(source)).toBeCloseTo(value, 12);
  });

  it.each([
    '',
    '   ',
    '1+',
    '(1+2',
    '1+2)',
    '2**3',
    '1 2',
    'abc',
    '3x',
    '1..2',
    '()',
    `${'('.repeat(100)}1${')'.repeat(100)}`,
    '1+'.repeat(200) + '1',
  ])('rejects %j with TRAIN_CALC_SYNTAX', (source) => {
    const error = (() => {
      try {
        evaluateExpression(source);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CalculatorError);
    expect((error as CalculatorError).code).toBe('TRAIN_CALC_SYNTAX');
  });

  it('rejects division by zero with TRAIN_CALC_DIV_ZERO', () => {
    for (const source of ['1/0', '5/(3-3)', '0/0']) {
      expect(() => evaluateExpression(source)).toThrow(expect.objectContaining({ code: 'TRAIN_CALC_DIV_ZERO' }));
    }
  });
});

describe('formatNumber', () => {
  it.each([
    [42, '42'],
    [-3, '-3'],
    [0.1 + 0.2, '0.3'],
    [10 / 3, '3.3333'],
    [2 / 3, '0.6667'],
    [37.5, '37.5'],
    [-0.00001, '0'],
    [1234567, '1234567'],
  ])('%s → %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

// Exact rational arithmetic on BigInt: an independent reference for the double evaluator.
type Rational = { n: bigint; d: bigint };
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
function rat(n: bigint, d: bigint): Rational {
  const sign = d < 0n ? -1n : 1n;
  const g = gcd(n, d) || 1n;
  return { n: (sign * n) / g, d: (sign * d) / g };
}
function literal(text: string): Rational {
  const [whole, frac = ''] = text.split('.');
  return rat(BigInt(whole + frac), 10n ** BigInt(frac.length));
}
function exact(tree: Expr): Rational | null {
  if (tree.kind === 'num') return literal(tree.text);
  if (tree.kind === 'neg') {
    const a = exact(tree.arg);
    return a && { n: -a.n, d: a.d };
  }
  const a = exact(tree.left);
  const b = exact(tree.right);
  if (!a || !b) return null;
  switch (tree.op) {
    case '+':
      return rat(a.n * b.d + b.n * a.d, a.d * b.d);
    case '-':
      return rat(a.n * b.d - b.n * a.d, a.d * b.d);
    case '*':
      return rat(a.n * b.n, a.d * b.d);
    case '/':
      return b.n === 0n ? null : rat(a.n * b.d, a.d * b.n);
  }
}

function randomTree(rng: CalcRng, depth: number): Expr {
  if (depth === 0 || rng.chance(0.3)) {
    const text = rng.chance(0.3) ? `${rng.int(0, 99)}.${rng.int(0, 99)}` : String(rng.int(0, 999));
    const num: Expr = { kind: 'num', value: Number(text), text };
    return rng.chance(0.1) ? { kind: 'neg', arg: num } : num;
  }
  if (rng.chance(0.05)) return { kind: 'neg', arg: randomTree(rng, depth - 1) };
  return { kind: 'bin', op: rng.pick(['+', '-', '*', '/'] as const), left: randomTree(rng, depth - 1), right: randomTree(rng, depth - 1) };
}

describe('property: random expressions against exact rationals', () => {
  it('the printed form re-parses to the same tree and evaluates to the exact value', () => {
    const rng = new CalcRng(7);
    let checked = 0;
    for (let i = 0; i < 3000; i++) {
      const tree = randomTree(rng, rng.int(1, 4));
      const source = formatExpression(tree);
      expect(parseExpression(source)).toEqual(tree);
      const reference = exact(tree);
      if (reference === null) {
        expect(() => evaluateExpression(source)).toThrow(CalculatorError);
        continue;
      }
      const expected = Number(reference.n) / Number(reference.d);
      // Tiny intermediate values make the relative error of the double route large; skip those.
      if (!Number.isFinite(expected)) continue;
      expect(sameValue(evaluateExpression(source), expected, 1e-9), `${source}: ${expected}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(2500);
  });
});
