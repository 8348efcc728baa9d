import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureRoot } from '../datasets/test-fixtures/fixtureRoot.js';
import type { EvalSample } from '../types.js';
import { circularExpand, circularPatterns } from './circular.js';
import { accuracyEvaluator, emEvaluator, gsm8kEvaluator, substringEvaluator } from './evaluators.js';
import { passAtK } from './passAtK.js';
import { readPredictions, scoreDataset } from './scoreDataset.js';

const mcq = (id: string, gold: string): EvalSample => ({ id, dataset: 't', question: 'q?', choices: ['w', 'x', 'y', 'z'], gold, meta: {} });

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe('passAtK', () => {
  it('matches 1 - C(n-c,k)/C(n,k) and its edge cases', () => {
    expect(passAtK(10, 0, 1)).toBe(0);
    expect(passAtK(10, 10, 5)).toBe(1);
    expect(passAtK(5, 1, 1)).toBeCloseTo(0.2, 12);
    expect(passAtK(10, 3, 5)).toBeCloseTo(1 - binom(7, 5) / binom(10, 5), 12);
    expect(passAtK(200, 13, 100)).toBeCloseTo(1 - binom(187, 100) / binom(200, 100), 9);
    expect(passAtK(4, 2, 3)).toBe(1); // fewer than k failures: some draw must pass
    expect(() => passAtK(3, 4, 1)).toThrow(RangeError);
  });
});

describe('circular evaluation', () => {
  it('rotates options as OpenCompass does: under BCDA the original A is shown as B', () => {
    expect(circularPatterns(4)).toEqual(['ABCD', 'BCDA', 'CDAB', 'DABC']);
    const [o, r1, r2, r3] = circularExpand([mcq('q1', 'A')]);
    expect(o.choices).toEqual(['w', 'x', 'y', 'z']);
    expect(r1.choices).toEqual(['z', 'w', 'x', 'y']);
    expect(r1.gold).toBe('B');
    expect([o.gold, r1.gold, r2.gold, r3.gold]).toEqual(['A', 'B', 'C', 'D']);
    // The gold option text never changes, only its letter.
    for (const r of [o, r1, r2, r3]) expect(r.choices?.['ABCD'.indexOf(r.gold)]).toBe('w');
    expect(r2.id).toBe('q1@circular:CDAB');
  });

  it('a position-biased model passes the origin but fails perf', async () => {
    const { CircularEvaluator } = await import('./circular.js');
    const samples = circularExpand([mcq('q1', 'A'), mcq('q2', 'C')]);
    const preds = samples.map((s) => ({
      id: s.id,
      output: s.meta.circular && (s.meta.circular as { qid: string }).qid === 'q1' ? 'A' : s.gold,
    }));
    const r = await new CircularEvaluator(accuracyEvaluator()).score(samples, preds);
    expect(r.metrics).toEqual({
      acc_origin: 100,
      acc_circular: 62.5,
      more_1_circular: 100,
      more_2_circular: 50,
      more_3_circular: 50,
      perf_circular: 50,
    });
  });
});

describe('AnswerEvaluator', () => {
  it('scores a missing prediction and a provider error as wrong, without failing the batch', async () => {
    const r = await accuracyEvaluator().score(
      [mcq('a', 'B'), mcq('b', 'C'), mcq('c', 'D')],
      [
        { id: 'a', output: 'The answer is B' },
        { id: 'b', output: '', error: { code: 'HTTP_500', message: 'boom' } },
      ],
    );
    expect(r.samples.map((s) => s.correct)).toEqual([true, false, false]);
    expect(r.samples[1].detail?.error).toEqual({ code: 'HTTP_500', message: 'boom' });
    expect(r.samples[2].detail?.missing).toBe(true);
    expect(r.metrics.accuracy).toBeCloseTo(100 / 3, 10);
  });

  it('takes the majority of extracted answers for self-consistency', async () => {
    const s: EvalSample = { id: 'g', dataset: 'gsm8k', question: 'q', gold: '12', meta: {} };
    const r = await gsm8kEvaluator().score(
      [s],
      [{ id: 'g', output: 'so 11', outputs: ['so 11', 'The answer is 12', 'it is 12.', 'nothing'] }],
    );
    expect(r.samples[0]).toMatchObject({ extracted: '12', correct: true, detail: { votes: { '11': 1, '12': 2 } } });
  });

  it('picks the most likely choice for PPL predictions', async () => {
    const r = await accuracyEvaluator().score([mcq('p', 'C')], [{ id: 'p', output: '', choiceLogprobs: [-3, -2.5, -0.7, -4] }]);
    expect(r.samples[0]).toMatchObject({ extracted: 'C', correct: true });
  });

  it('EM and substring with alias lists (TriviaQA style)', async () => {
    const s: EvalSample = { id: 't', dataset: 'triviaqa', question: 'q', gold: 'Paris', meta: { answers: ['Paris', 'City of Light'] } };
    const em = await emEvaluator().score(
      [s, { ...s, id: 'u' }],
      [
        { id: 't', output: 'The City of Light.' },
        { id: 'u', output: 'Paris, France' },
      ],
    );
    expect(em.samples.map((x) => x.correct)).toEqual([true, true]);
    const sub = await substringEvaluator().score(
      [s, { ...s, id: 'v' }],
      [
        { id: 't', output: 'I believe it is paris!' },
        { id: 'v', output: 'Parisian' },
      ],
    );
    expect(sub.samples.map((x) => x.correct)).toEqual([true, false]);
  });
});

describe('scoreDataset (eval-only mode)', () => {
  it('reads a predictions JSONL and returns per-sample extracted answers and correctness', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-score-'));
    const file = join(dir, 'preds.jsonl');
    writeFileSync(
      file,
      [
        { id: 'ceval/high_school_physics/val/0', output: '答案是 B' },
        { id: 'ceval/high_school_physics/val/2', output: '我认为选A' },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    const preds = await readPredictions(file);
    const r = await scoreDataset('ceval', preds, { root: fixtureRoot('ceval') });
    expect(r.samples.map((s) => [s.id, s.extracted, s.correct])).toEqual([
      ['ceval/high_school_physics/val/0', 'B', true],
      ['ceval/high_school_physics/val/2', 'A', false],
    ]);
    expect(r.metrics.accuracy).toBe(50);
  });

  it('rejects ids that are not in the dataset and malformed lines', async () => {
    await expect(scoreDataset('ceval', [{ id: 'mmlu/x/test/0', output: 'A' }], { root: fixtureRoot('ceval') })).rejects.toMatchObject({
      code: 'EVAL_UNKNOWN_PREDICTION_IDS',
    });
    const dir = mkdtempSync(join(tmpdir(), 'puyu-score-'));
    writeFileSync(join(dir, 'bad.jsonl'), '{"id": "a", "output": 3}\n');
    await expect(readPredictions(join(dir, 'bad.jsonl'))).rejects.toMatchObject({ code: 'EVAL_BAD_PREDICTION' });
  });

  it('scores circular predictions', async () => {
    const root = fixtureRoot('mmlu-original');
    const { getDataset } = await import('../datasets/registry.js');
    const rotated = circularExpand(await getDataset('mmlu').load({ root, subsets: ['virology'] }));
    const r = await scoreDataset(
      'mmlu',
      rotated.map((s) => ({ id: s.id, output: `The answer is ${s.gold}` })),
      { root, subsets: ['virology'], circular: true },
    );
    expect(r.metrics.perf_circular).toBe(100);
    expect(r.samples).toHaveLength(8);
  });
});
