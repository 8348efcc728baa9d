/**
 * Comparing one greedy generation with its solo run, step by step (the cross-talk check).
 *
 * A batched decode is not bit-identical to a solo one: llama.cpp's kernels accumulate a batch's
 * matrix products in another order, so log-probabilities move in the last digits. That is harmless
 * unless a greedy choice is a near-tie. A state leak between sequences (KV cells, sampler, grammar,
 * prefix reuse) is not: it moves log-probabilities by far more, or changes tokens at clear margins.
 * So a batched run is accepted when, up to its first differing token, every log-probability is within
 * `tolerance` of the solo run's, and, if it differs, the solo run's top-2 margin at that step was
 * below 2 × `tolerance` (the most two log-probabilities each within `tolerance` can swap).
 *
 * `BATCH_LOGPROB_TOLERANCE` is measured (packages/serve/README.md, "Cross-talk"): the largest
 * |Δ log-probability| seen between batched and solo runs of the test model was ~1e-5, and exactly 0
 * for a solo run in any sequence slot, next to stale caches or after prefix reuse. 1e-3 leaves two
 * orders of magnitude of headroom for other CPUs' kernels while still catching any real leak.
 */
export const BATCH_LOGPROB_TOLERANCE = 1e-3;

export interface TraceStep<T = number | string> {
  token: T;
  /** Log-probability of `token`. */
  logprob: number;
  /** The most likely tokens, best first (at least two for margins). */
  top: { token: T; logprob: number }[];
}

export interface TraceComparison {
  /** Steps compared (up to and including the first difference). */
  steps: number;
  /** Largest |Δ log-probability| of the chosen token over the steps before the first difference. */
  maxDelta: number;
  /** First step whose token differs, if any. */
  divergedAt?: number;
  /** The solo run's top-2 margin at that step. */
  soloMargin?: number;
  /** Whether the run is explained by numeric noise within `tolerance` (see above). */
  explained: boolean;
}

/** Top-1 minus top-2 log-probability of a step. */
export function topMargin<T>(step: TraceStep<T>): number {
  const [a, b] = step.top;
  return a && b ? a.logprob - b.logprob : Number.POSITIVE_INFINITY;
}

/**
 * Compares a run with its solo reference. The reference should be generated past the end (e.g. with
 * `ignore_eos`), so that where `got` stopped, the reference shows which token it chose there and at
 * what margin: `isStop` tells which tokens end a generation (they are not part of `got`).
 */
export function compareWithSolo<T>(
  solo: readonly TraceStep<T>[],
  got: readonly TraceStep<T>[],
  opts: { tolerance?: number; isStop?: (token: T) => boolean } = {},
): TraceComparison {
  const tolerance = opts.tolerance ?? BATCH_LOGPROB_TOLERANCE;
  let maxDelta = 0;
  const diverged = (k: number): TraceComparison => {
    const soloMargin = k < solo.length ? topMargin(solo[k]) : Number.POSITIVE_INFINITY;
    return { steps: k + 1, maxDelta, divergedAt: k, soloMargin, explained: maxDelta <= tolerance && soloMargin <= 2 * tolerance };
  };
  for (let k = 0; k < got.length; k++) {
    if (k >= solo.length || solo[k].token !== got[k].token) return diverged(k);
    maxDelta = Math.max(maxDelta, Math.abs(solo[k].logprob - got[k].logprob));
  }
  // `got` stopped here: the same run when the reference chose an end token at this step too.
  const k = got.length;
  if (k < solo.length && !opts.isStop?.(solo[k].token)) return diverged(k);
  return { steps: k, maxDelta, explained: maxDelta <= tolerance };
}
