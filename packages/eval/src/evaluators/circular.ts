/**
 * Circular evaluation for multiple choice (OpenCompass `circular.py`): each question is asked once
 * per rotation of its options (ABCD, BCDA, CDAB, DABC), and it counts as solved (`perf_circular`)
 * only if every rotation is answered correctly, which exposes models that favour a position.
 *
 * Rotation semantics follow OpenCompass: under pattern `BCDA`, the original option A is shown
 * as B, B as C, C as D and D as A, and the gold letter moves with its option.
 */
import { type EvalResult, type EvalSample, EvaluationError, type Evaluator, OPTION_LABELS, type Prediction } from '../types.js';

export function circularPatterns(n: number): string[] {
  const keys = OPTION_LABELS.slice(0, n);
  return Array.from({ length: n }, (_, i) => (keys + keys).slice(i, i + n));
}

export interface CircularMeta {
  qid: string;
  pattern: string;
}

export const circularId = (id: string, pattern: string): string => `${id}@circular:${pattern}`;

/** One sample per rotation of each multiple-choice sample. */
export function circularExpand(samples: readonly EvalSample[]): EvalSample[] {
  const out: EvalSample[] = [];
  for (const s of samples) {
    const choices = s.choices;
    if (!choices || choices.length < 2) {
      throw new EvaluationError('EVAL_NOT_MCQ', `circular evaluation needs multiple-choice samples; ${s.id} has no options.`);
    }
    const keys = OPTION_LABELS.slice(0, choices.length);
    const goldIndex = keys.indexOf(s.gold);
    if (goldIndex < 0) throw new EvaluationError('EVAL_BAD_GOLD', `${s.id}: gold "${s.gold}" is not one of ${keys}.`);
    for (const pattern of circularPatterns(choices.length)) {
      const rotated = new Array<string>(choices.length);
      for (let i = 0; i < choices.length; i++) rotated[keys.indexOf(pattern[i])] = choices[i];
      const circular: CircularMeta = { qid: s.id, pattern };
      out.push({ ...s, id: circularId(s.id, pattern), choices: rotated, gold: pattern[goldIndex], meta: { ...s.meta, circular } });
    }
  }
  return out;
}

/** Wraps a per-sample evaluator; expects the samples produced by `circularExpand`. */
export class CircularEvaluator implements Evaluator {
  readonly name: string;
  constructor(private readonly inner: Evaluator) {
    this.name = `circular(${inner.name})`;
  }

  async score(samples: readonly EvalSample[], predictions: readonly Prediction[]): Promise<EvalResult> {
    const result = await this.inner.score(samples, predictions);
    const byQ = new Map<string, { n: number; correct: number; originCorrect: boolean }>();
    let originN = 0;
    let originCorrect = 0;
    samples.forEach((s, i) => {
      const meta = s.meta.circular as CircularMeta | undefined;
      if (!meta)
        throw new EvaluationError('EVAL_NOT_CIRCULAR', `${s.id} is not a circular sample; expand the dataset with circularExpand first.`);
      const ok = result.samples[i].correct;
      const q = byQ.get(meta.qid) ?? { n: 0, correct: 0, originCorrect: false };
      q.n++;
      if (ok) q.correct++;
      if (meta.pattern === OPTION_LABELS.slice(0, meta.pattern.length)) {
        originN++;
        if (ok) originCorrect++;
        q.originCorrect = ok;
      }
      byQ.set(meta.qid, q);
    });
    const qs = [...byQ.values()];
    const metrics: Record<string, number> = {
      acc_origin: originN ? (100 * originCorrect) / originN : 0,
      acc_circular: samples.length ? (100 * result.samples.filter((s) => s.correct).length) / samples.length : 0,
    };
    const maxN = Math.max(0, ...qs.map((q) => q.n));
    for (let j = 1; j < maxN; j++)
      metrics[`more_${j}_circular`] = qs.length ? (100 * qs.filter((q) => q.correct >= j).length) / qs.length : 0;
    metrics.perf_circular = qs.length ? (100 * qs.filter((q) => q.correct === q.n).length) / qs.length : 0;
    return { ...result, evaluator: this.name, metrics };
  }
}
