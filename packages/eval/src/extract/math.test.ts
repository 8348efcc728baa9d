import { describe, expect, it } from 'vitest';
import { extractBoxed, lastBoxedOnlyString, mathEquiv, mathExtract, simpleValue } from './math.js';

describe('MATH boxed extraction', () => {
  it('balances nested braces and takes the last box', () => {
    expect(lastBoxedOnlyString('a \\boxed{1} b \\boxed{\\frac{a}{\\sqrt{b}}} c')).toBe('\\boxed{\\frac{a}{\\sqrt{b}}}');
    expect(extractBoxed('$\\boxed{\\{1, 2\\}}$')).toBe('\\{1, 2\\}');
    expect(extractBoxed('no box here')).toBeNull();
  });
});

describe('MATH equivalence', () => {
  it.each([
    ['\\dfrac{1}{2}', '\\frac12'],
    ['\\left(3, \\frac{\\pi}{2}\\right)', '(3,\\frac{\\pi}{2})'],
    ['5\\text{ inches}', '5'],
    ['30^{\\circ}', '30'],
    ['2 \\sqrt{3}', '2\\sqrt3'],
    ['x = 7', '7'],
    ['\\$1,000', '1000'],
    ['3/4', '\\frac34'],
    ['\\text{Evelyn}', 'Evelyn'],
    ['(-\\infty, 0)', '(-\\infty,0)'],
  ])('%s ≡ %s', (a, b) => {
    expect(mathEquiv(a, b)).toBe(true);
  });
  it.each([
    ['\\frac{1}{3}', '\\frac{1}{2}'],
    ['2\\sqrt{2}', '2\\sqrt{3}'],
    ['(1,2)', '(2,1)'],
    ['0.33', '\\frac{1}{3}'],
  ])('%s ≢ %s', (a, b) => {
    expect(mathEquiv(a, b)).toBe(false);
  });
  it.each([
    ['.5', '\\frac{1}{2}'],
    ['-0.25', '-\\frac{1}{4}'],
    ['\\frac{2}{4}', '\\frac{1}{2}'],
    ['2/4', '\\frac12'],
  ])('%s ≡ %s only with lenientFractions (OpenCompass v2: not equal)', (a, b) => {
    expect(mathEquiv(a, b)).toBe(false);
    expect(mathEquiv(a, b, { lenientFractions: true })).toBe(true);
  });
  it('reads \\fbox{} and \\boxed 5 only with lenientBoxes', () => {
    expect(extractBoxed('We get \\fbox{7}.')).toBeNull();
    expect(extractBoxed('We get \\fbox{7}.', true, { lenientBoxes: true })).toBe('7');
    expect(mathExtract('The answer is \\boxed 5')).toBe('\\boxed5');
    expect(mathExtract('The answer is \\boxed 5', { lenientBoxes: true })).toBe('5');
  });
  it('values only simple numbers and fractions', () => {
    expect(simpleValue('\\frac{3}{4}')).toBe(0.75);
    expect(simpleValue('-\\dfrac{1}{2}')).toBe(-0.5);
    expect(simpleValue('\\frac{x}{2}')).toBeNull();
    expect(simpleValue('1/0')).toBeNull();
  });
});
