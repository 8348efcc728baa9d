import { DataError } from '../errors.js';

/** Composite Simpson's rule; the LSH S-curves are smooth polynomials, so 1,000 panels give ~1e-10. */
function integrate(f: (s: number) => number, a: number, b: number, panels = 1000): number {
  const h = (b - a) / panels;
  let sum = f(a) + f(b);
  for (let i = 1; i < panels; i++) sum += f(a + i * h) * (i % 2 === 1 ? 4 : 2);
  return (sum * h) / 3;
}

/** Probability mass of pairs below the threshold that still share a band (weighted false positives). */
export function falsePositiveArea(threshold: number, bands: number, rows: number): number {
  return integrate((s) => 1 - (1 - s ** rows) ** bands, 0, threshold);
}

/** Probability mass of pairs above the threshold that share no band (weighted false negatives). */
export function falseNegativeArea(threshold: number, bands: number, rows: number): number {
  return integrate((s) => (1 - s ** rows) ** bands, threshold, 1);
}

export interface LshParams {
  bands: number;
  rows: number;
}

/**
 * Bands and rows for a Jaccard threshold, chosen as datasketch's `_optimal_param` does: the
 * (b, r) with b·r ≤ numPerm that minimises fpWeight·FP + fnWeight·FN, the areas under the
 * S-curve 1-(1-s^r)^b below and above the threshold. scipy's quad gives the same choices (the
 * golden in lshParams.test.ts was computed with it).
 */
const memo = new Map<string, LshParams>();

export function optimalLshParams(threshold: number, numPerm: number, fpWeight = 0.5, fnWeight = 0.5): LshParams {
  const key = `${threshold}/${numPerm}/${fpWeight}/${fnWeight}`;
  const hit = memo.get(key);
  if (hit) return { ...hit };
  const best = searchLshParams(threshold, numPerm, fpWeight, fnWeight);
  memo.set(key, best);
  return { ...best };
}

function searchLshParams(threshold: number, numPerm: number, fpWeight: number, fnWeight: number): LshParams {
  if (!(threshold > 0 && threshold < 1))
    throw new DataError('DATA_BAD_OPTION', `the Jaccard threshold must be in (0, 1), got ${threshold}.`);
  if (!Number.isInteger(numPerm) || numPerm < 2)
    throw new DataError('DATA_BAD_OPTION', `permutations must be an integer ≥ 2, got ${numPerm}.`);
  let best = { bands: 0, rows: 0 };
  let minError = Number.POSITIVE_INFINITY;
  for (let b = 1; b <= numPerm; b++) {
    const maxR = Math.floor(numPerm / b);
    for (let r = 1; r <= maxR; r++) {
      const err = fpWeight * falsePositiveArea(threshold, b, r) + fnWeight * falseNegativeArea(threshold, b, r);
      if (err < minError) {
        minError = err;
        best = { bands: b, rows: r };
      }
    }
  }
  return best;
}
