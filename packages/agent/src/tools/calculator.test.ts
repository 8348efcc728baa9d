import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { calculatorTool, evaluateArithmetic } from './calculator.js';

/** Random expressions in the calculator grammar, seeded. */
function randomExpressions(n: number, seed = 7): string[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const gen = (depth: number): string => {
    if (depth > 3 || rnd() < 0.3) return rnd() < 0.3 ? (rnd() * 100).toFixed(2) : String(Math.floor(rnd() * 1000));
    const r = rnd();
    if (r < 0.1) return `-${gen(depth + 1)}`;
    if (r < 0.25) return `(${gen(depth + 1)})`;
    return `${gen(depth + 1)} ${'+-*/'[Math.floor(rnd() * 4)]} ${gen(depth + 1)}`;
  };
  return Array.from({ length: n }, () => gen(0));
}

const hasPython = spawnSync('python3', ['--version']).status === 0;

describe('calculator', () => {
  it.skipIf(!hasPython)('agrees with Python on 300 random expressions (same precedence, unary minus included)', () => {
    const exprs = randomExpressions(300);
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import sys, json\nfor e in json.load(sys.stdin):\n  try: print(repr(float(eval(e))))\n  except ZeroDivisionError: print("div0")',
      ],
      { input: JSON.stringify(exprs), encoding: 'utf8' },
    );
    const want = py.stdout.trim().split('\n');
    exprs.forEach((e, i) => {
      if (want[i] === 'div0') expect(() => evaluateArithmetic(e)).toThrow(/division by zero/);
      else expect(evaluateArithmetic(e)).toBeCloseTo(Number(want[i]), 9);
    });
  });
  it('refuses anything but arithmetic, and bounds length and depth', () => {
    for (const bad of [
      '',
      '2+',
      'import os',
      '__import__("os")',
      '1e309',
      '2**3',
      `${'('.repeat(100)}1${')'.repeat(100)}`,
      '1'.repeat(300),
    ]) {
      expect(() => evaluateArithmetic(bad)).toThrow();
    }
    expect(evaluateArithmetic('12 × 3 − 4 ÷ 2')).toBe(34);
  });
  it('answers in the calculator SFT format', async () => {
    const signal = new AbortController().signal;
    expect(await calculatorTool.run({ expression: '333/(77-796)' }, { signal })).toEqual({ result: -0.4631 });
    expect(await calculatorTool.run({ expression: '12.67*18' }, { signal })).toEqual({ result: 228.06 });
  });
});
