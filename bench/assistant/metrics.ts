/**
 * Scoring of the rejection decision, the way HuixiangDou's evaluation/rejection scores it
 * (sklearn precision/recall/F1 with good questions labelled True): the POSITIVE class is a
 * related question, i.e. the assistant ANSWERS it (does not reject). Precision = of the questions
 * it answered, the share that were related; recall = of the related questions, the share it
 * answered. The reject class's F1 (positive = unrelated, the assistant rejects) is reported
 * beside it, since "rejection F1" is read both ways.
 */
export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
  /** F1 with the reject decision as the positive class */
  rejectF1: number;
  accuracy: number;
  n: number;
}

export function confusion(labels: boolean[], answered: boolean[]): Confusion {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  labels.forEach((related, i) => {
    if (answered[i]) related ? c.tp++ : c.fp++;
    else related ? c.fn++ : c.tn++;
  });
  return c;
}

function f1Of(p: number, r: number): number {
  return p + r ? (2 * p * r) / (p + r) : 0;
}

/** sklearn's convention for an empty denominator (zero_division=0): the ratio is 0. */
export function prf(labels: boolean[], answered: boolean[]): Prf {
  const { tp, fp, fn, tn } = confusion(labels, answered);
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const rejectPrecision = tn + fn ? tn / (tn + fn) : 0;
  const rejectRecall = tn + fp ? tn / (tn + fp) : 0;
  return {
    precision,
    recall,
    f1: f1Of(precision, recall),
    rejectF1: f1Of(rejectPrecision, rejectRecall),
    accuracy: labels.length ? (tp + tn) / labels.length : 0,
    n: labels.length,
  };
}

/**
 * ROC AUC of a score separating related (positive) from unrelated questions: the chance that a
 * random related question outscores a random unrelated one (ties count half). Threshold-free, so
 * it says how much any calibration could get out of a retriever's score: 0.5 is no signal.
 */
export function rocAuc(positive: number[], negative: number[]): number {
  if (!positive.length || !negative.length) return Number.NaN;
  const all = [...positive.map((s) => ({ s, pos: true })), ...negative.map((s) => ({ s, pos: false }))].sort((a, b) => a.s - b.s);
  // rank-sum (Mann–Whitney U) with average ranks for ties
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k].pos) rankSum += avgRank;
    i = j;
  }
  const u = rankSum - (positive.length * (positive.length + 1)) / 2;
  return u / (positive.length * negative.length);
}

export function median(xs: number[]): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
