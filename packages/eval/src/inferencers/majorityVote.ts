import type { EvalResult, EvalSample, Evaluator, Prediction, ScoredSample } from '../types.js';

/**
 * Scores self-consistency predictions by majority vote over *extracted* answers: each
 * of the n outputs goes through the dataset's own evaluator (so "18", "$18.00" and
 * "\boxed{18}" all count as one answer), the most frequent non-null answer wins (ties go
 * to the answer seen first), and the sample is correct when an output carrying the
 * winning answer was scored correct.
 */
export async function majorityVote(
  evaluator: Evaluator,
  samples: readonly EvalSample[],
  predictions: readonly Prediction[],
): Promise<EvalResult> {
  const n = Math.max(1, ...predictions.map((p) => p.outputs?.length ?? 1));
  const perDraw: Map<string, ScoredSample>[] = [];
  let dataset = samples[0]?.dataset ?? '';
  for (let k = 0; k < n; k++) {
    const preds = predictions.map((p) => ({ ...p, output: p.outputs?.[k] ?? (k === 0 ? p.output : ''), outputs: undefined }));
    const r = await evaluator.score(samples, preds);
    dataset = r.dataset;
    perDraw.push(new Map(r.samples.map((s) => [s.id, s])));
  }
  const byId = new Map(predictions.map((p) => [p.id, p]));
  const scored: ScoredSample[] = samples.map((sample) => {
    const votes = new Map<string, number>();
    const scoredDraws = perDraw.map((m) => m.get(sample.id)).filter((s): s is ScoredSample => s !== undefined);
    for (const s of scoredDraws) if (s.extracted !== null) votes.set(s.extracted, (votes.get(s.extracted) ?? 0) + 1);
    let winner: string | null = null;
    let best = 0;
    for (const [answer, count] of votes) {
      if (count > best) {
        winner = answer;
        best = count;
      }
    }
    const carrier = scoredDraws.find((s) => s.extracted === winner);
    const correct = winner !== null && carrier?.correct === true;
    return {
      id: sample.id,
      gold: sample.gold,
      output: carrier?.output ?? byId.get(sample.id)?.output ?? '',
      extracted: winner,
      correct,
      score: correct ? 1 : 0,
      detail: {
        votes: Object.fromEntries(votes),
        draws: scoredDraws.length,
        agreement: scoredDraws.length ? best / scoredDraws.length : 0,
      },
    };
  });
  const accuracy = scored.length ? (100 * scored.filter((s) => s.correct).length) / scored.length : 0;
  return { dataset, evaluator: `${evaluator.name}+majority-vote`, metrics: { accuracy }, samples: scored };
}
