/**
 * The differential test against OpenCompass (llm.c-style): every golden case must give exactly
 * what OpenCompass's functions gave (fixtures/opencompass-goldens.jsonl, produced by
 * scripts/reference/opencompass_goldens.py). The opt-in deviations are checked apart: on the
 * same goldens they change results only when enabled.
 */
import { describe, expect, it } from 'vitest';
import { bbhEvaluator } from '../evaluators/evaluators.js';
import type { EvalSample } from '../types.js';
import { humanevalProgram } from './code.js';
import { compareGoldens, HE_PROMPT, HE_TEST, ours, readGoldens } from './differential.js';
import { mathEquiv, mathExtract } from './math.js';
import { OPENCOMPASS_COMMIT } from './opencompass.js';
import { extractChoice } from './options.js';

const { meta, cases } = readGoldens();

describe('OpenCompass differential goldens', () => {
  it('were produced from the commit we follow, with ≥ 300 cases per extractor', () => {
    expect(meta.commit).toBe(OPENCOMPASS_COMMIT);
    const { table } = compareGoldens(cases);
    for (const kind of ['first-option', 'first-capital', 'gsm8k', 'math', 'bbh-mcq', 'bbh-freeform', 'humaneval', 'humaneval-base']) {
      expect(table[kind]?.cases, kind).toBeGreaterThanOrEqual(300);
    }
  });

  it('agree with our extractors and evaluators on every case', () => {
    const { table, disagreements } = compareGoldens(cases, ours);
    expect(disagreements.slice(0, 5)).toEqual([]);
    for (const row of Object.values(table)) expect(row.agreements).toBe(row.cases);
  });
});

describe('opt-in deviations differ from OpenCompass only when enabled', () => {
  const of = (kind: string) => cases.filter((c) => c.kind === kind);

  it('optionTextMatch / parenthesisedLetter: off = OpenCompass; on = a different letter only where OpenCompass had none or the cushion', () => {
    let changed = 0;
    for (const c of of('first-option').filter((x) => x.cushion)) {
      expect(extractChoice(c.input, ['alpha', 'beta', 'gamma', 'delta'], c.options)).toBe(c.out);
      const on = extractChoice(c.input, ['alpha', 'beta', 'gamma', 'delta'], c.options, {
        optionTextMatch: true,
        parenthesisedLetter: true,
      });
      if (on !== c.out) changed++;
    }
    // The goldens never name option text, so only the parenthesised step can differ there.
    expect(extractChoice('It must be the nucleus.', ['Mitochondria', 'Nucleus', 'Ribosome', 'Golgi'])).toBe('');
    expect(
      extractChoice('It must be the nucleus.', ['Mitochondria', 'Nucleus', 'Ribosome', 'Golgi'], 'ABCD', { optionTextMatch: true }),
    ).toBe('B');
    expect(changed).toBeLessThan(of('first-option').length);
  });

  it('lenientFractions / lenientBoxes: off = the goldens; on = only more "equal" verdicts', () => {
    let raised = 0;
    for (const c of of('math')) {
      const out = mathExtract(c.input, { lenientBoxes: true });
      const on = mathEquiv(out, c.gold ?? null, { lenientFractions: true, lenientBoxes: true });
      expect(mathEquiv(mathExtract(c.input), c.gold ?? null)).toBe(c.equal);
      if (on !== c.equal) {
        expect(on).toBe(true);
        raised++;
      }
    }
    expect(raised).toBeGreaterThan(0);
    expect(mathEquiv('\\frac{2}{4}', '\\frac{1}{2}')).toBe(false);
    expect(mathEquiv('\\frac{2}{4}', '\\frac{1}{2}', { lenientFractions: true })).toBe(true);
  });

  it('repairCompletion changes the program only when enabled', () => {
    let changed = 0;
    for (const c of of('humaneval')) {
      expect(humanevalProgram(HE_PROMPT, c.input, HE_TEST, 'add')).toBe(c.program);
      if (humanevalProgram(HE_PROMPT, c.input, HE_TEST, 'add', { repairCompletion: true }) !== c.program) changed++;
    }
    expect(changed).toBeGreaterThan(0);
  });

  it('freeformTextTargets scores BBH text targets free-form only when enabled', async () => {
    const sample: EvalSample = { id: 'x', dataset: 'bbh', question: 'q', gold: 'dearth, wind, & fire', meta: { bbhKind: 'mcq' } };
    const pred = [{ id: 'x', output: 'So the answer is dearth, wind, & fire.' }];
    expect((await bbhEvaluator().score([sample], pred)).metrics.score).toBe(0);
    expect((await bbhEvaluator({ freeformTextTargets: true }).score([sample], pred)).metrics.score).toBe(100);
  });
});
