/**
 * The evaluator shape most benchmarks share: extract an answer from each output, compare it with
 * the gold answer, average. Self-consistency (several outputs) takes the majority of the extracted
 * answers; PPL inference (per-choice log-likelihoods, no text) takes the most likely choice.
 */
import { type EvalResult, type EvalSample, type Evaluator, OPTION_LABELS, type Prediction, type ScoredSample } from '../types.js';

export interface AnswerRule {
  name: string;
  extract(output: string, sample: EvalSample): string | null;
  equal(pred: string | null, sample: EvalSample): boolean;
  /** Aggregate metric key (OpenCompass names it `accuracy` for most datasets, `score` for BBH). */
  metric?: string;
}

/** The most frequent non-null answer; ties go to the one seen first (stable across runs). */
export function majority(answers: readonly (string | null)[]): { answer: string | null; votes: Record<string, number> } {
  const votes: Record<string, number> = {};
  let best: string | null = null;
  for (const a of answers) {
    if (a === null) continue;
    votes[a] = (votes[a] ?? 0) + 1;
    if (best === null || votes[a] > votes[best]) best = a;
  }
  return { answer: best, votes };
}

export function indexPredictions(predictions: readonly Prediction[]): Map<string, Prediction> {
  const byId = new Map<string, Prediction>();
  for (const p of predictions) byId.set(p.id, p);
  return byId;
}

export function percent(samples: readonly ScoredSample[]): number {
  if (samples.length === 0) return 0;
  return (100 * samples.reduce((a, s) => a + s.score, 0)) / samples.length;
}

export function scoreOne(rule: AnswerRule, sample: EvalSample, pred: Prediction | undefined): ScoredSample {
  const base = { id: sample.id, gold: sample.gold };
  if (!pred) return { ...base, output: '', extracted: null, correct: false, score: 0, detail: { missing: true } };
  const detail: Record<string, unknown> = {};
  if (pred.error) detail.error = pred.error;
  let extracted: string | null;
  const outputs = pred.outputs && pred.outputs.length > 1 ? pred.outputs : undefined;
  if (outputs) {
    const each = outputs.map((o) => rule.extract(o, sample));
    const vote = majority(each);
    extracted = vote.answer;
    detail.votes = vote.votes;
  } else if (pred.choiceLogprobs && pred.choiceLogprobs.length > 0 && !pred.output) {
    let best = 0;
    pred.choiceLogprobs.forEach((lp, i) => {
      if (lp > pred.choiceLogprobs![best]) best = i;
    });
    extracted = OPTION_LABELS[best];
    detail.choiceLogprobs = pred.choiceLogprobs;
  } else {
    extracted = pred.error && !pred.output ? null : rule.extract(pred.output, sample);
  }
  const correct = rule.equal(extracted, sample);
  return { ...base, output: pred.output, extracted, correct, score: correct ? 1 : 0, ...(Object.keys(detail).length ? { detail } : {}) };
}

export class AnswerEvaluator implements Evaluator {
  readonly name: string;
  constructor(private readonly rule: AnswerRule) {
    this.name = rule.name;
  }

  async score(samples: readonly EvalSample[], predictions: readonly Prediction[]): Promise<EvalResult> {
    const byId = indexPredictions(predictions);
    const scored = samples.map((s) => scoreOne(this.rule, s, byId.get(s.id)));
    return {
      dataset: samples[0]?.dataset ?? '',
      evaluator: this.name,
      metrics: { [this.rule.metric ?? 'accuracy']: percent(scored) },
      samples: scored,
    };
  }
}
