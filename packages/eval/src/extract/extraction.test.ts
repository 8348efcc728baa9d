import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bbhFreeformEqual, bbhMcq } from './bbh.js';
import { mathEquiv } from './math.js';
import { gsm8kEqual } from './numbers.js';
import { type ExtractionRule, extractAnswer } from './rules.js';

interface Case {
  rule: ExtractionRule;
  output: string;
  expected: string;
  options?: string;
  choices?: string[];
  gold?: string;
  correct?: boolean;
  note?: string;
}

const cases: Case[] = readFileSync(new URL('./fixtures/extraction-cases.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Case);

function equal(rule: ExtractionRule, pred: string | null, gold: string): boolean {
  if (rule === 'gsm8k') return gsm8kEqual(pred, gold);
  if (rule === 'math') return mathEquiv(pred, gold);
  if (rule === 'bbh-mcq') return pred === bbhMcq(gold);
  if (rule === 'bbh-freeform') return bbhFreeformEqual(pred, gold);
  return pred === gold;
}

describe('extraction table', () => {
  it('has at least 100 cases covering every family', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    const rules = new Set(cases.map((c) => c.rule));
    for (const r of ['first-option', 'mcq', 'gsm8k', 'math', 'bbh-mcq', 'bbh-freeform', 'general']) expect(rules).toContain(r);
    expect(cases.filter((c) => /[\u4e00-\u9fff]/.test(c.output)).length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases.map((c, i) => [i + 1, c] as const))('case %i', (_i, c) => {
    const got = extractAnswer(c.rule, c.output, { options: c.options, choices: c.choices });
    expect({ output: c.output, got }).toEqual({ output: c.output, got: c.expected === '' ? null : c.expected });
    if (c.gold !== undefined) expect(equal(c.rule, got, c.gold)).toBe(c.correct);
  });
});
