/**
 * Fits the rejection threshold on labelled questions: good ones the KB should answer, bad ones
 * it should refuse. Every distinct score is a candidate; a question is answered when its score is
 * ≥ the threshold. The threshold with the highest F1 of the "answer" decision wins (HuixiangDou
 * maximises precision + recall; F1 punishes a lopsided pair more). Ties go to the higher
 * threshold, which refuses more. The whole PR curve is kept for the Studio chart.
 */
import { AssistantError } from './errors.js';
import type { Calibration, PrPoint } from './store.js';

export function prPoint(good: number[], bad: number[], threshold: number): PrPoint {
  const tp = good.filter((s) => s >= threshold).length;
  const fp = bad.filter((s) => s >= threshold).length;
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = good.length ? tp / good.length : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { threshold, precision, recall, f1 };
}

export function fitThreshold(good: number[], bad: number[], maxCurvePoints = 200): Calibration {
  if (!good.length || !bad.length)
    throw new AssistantError(
      'ASSISTANT_BAD_QUESTIONS',
      `calibrate needs good and bad questions (got ${good.length} good, ${bad.length} bad).`,
    );
  const candidates = [...new Set([...good, ...bad])].sort((a, b) => a - b);
  const curve = candidates.map((t) => prPoint(good, bad, t));
  let best = curve[0] as PrPoint;
  for (const p of curve) if (p.f1 >= best.f1) best = p;
  const step = Math.max(1, Math.ceil(curve.length / maxCurvePoints));
  const thinned = curve.filter((_, i) => i % step === 0 || curve[i] === best);
  return { ...best, good: good.length, bad: bad.length, curve: thinned, at: new Date().toISOString() };
}

/** One question per line; blank lines and # comments skipped. */
export function parseQuestions(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}
