import type { GgmlContext, GgmlFunctions, TensorPtr } from '@puyu/ggml';
import { GGML_TYPE_F32, GGML_TYPE_I32 } from '@puyu/ggml';
import { lmHead } from './buildInternLM2Graph.js';
import type { InternLM2Params } from './InternLM2Params.js';

/** Host-side view of which positions count and how much. */
export interface LossPlan {
  /** Indices (into the B·T positions) whose weight is non-zero. */
  rows: Int32Array;
  /** One-hot targets scaled by each kept row's weight, row-major [M, vocab]. */
  targets: Float32Array;
  /** Σ weights over kept rows (the loss is Σ w·CE / Σ w). */
  weightSum: number;
  /** True when every kept weight is exactly 1, so ggml's fused cross-entropy applies. */
  uniform: boolean;
}

/**
 * Plans a masked loss. Zero-weight positions are dropped before the LM head, so
 * they cost no compute and can carry no gradient.
 */
export function planMaskedLoss(targets: ArrayLike<number>, weights: ArrayLike<number>, vocab: number): LossPlan {
  const keep: number[] = [];
  let weightSum = 0;
  let uniform = true;
  for (let i = 0; i < targets.length; i++) {
    const w = weights[i];
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`loss weight ${w} at position ${i} must be a finite number ≥ 0.`);
    if (w === 0) continue;
    keep.push(i);
    weightSum += w;
    if (w !== 1) uniform = false;
  }
  const M = keep.length;
  const t = new Float32Array(M * vocab);
  keep.forEach((i, m) => {
    const id = targets[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new RangeError(`target id ${id} at position ${i} is outside [0, ${vocab}).`);
    t[m * vocab + id] = weights[i];
  });
  return { rows: Int32Array.from(keep), targets: t, weightSum, uniform };
}

export interface MaskedLossTensors {
  loss: TensorPtr;
  /** Inputs to fill after allocation: `rows` (I32 [M]) and `targets` (F32 [vocab, M]). */
  rows: TensorPtr;
  targets: TensorPtr;
}

/**
 * Σ w·CE / Σ w over the kept rows of `hidden` (ne [hidden, B·T]).
 * With uniform weights this is ggml's fused CROSS_ENTROPY_LOSS (a mean over rows);
 * otherwise log-softmax picked by the weighted one-hot targets — the fused op's
 * backward assumes each target row sums to 1, which weighted rows do not.
 */
export function buildMaskedCrossEntropy(
  f: GgmlFunctions,
  ctx: GgmlContext,
  p: InternLM2Params,
  hidden: TensorPtr,
  plan: LossPlan,
): MaskedLossTensors {
  const V = p.config.vocab_size;
  const M = plan.rows.length;
  const rows = ctx.tensor(GGML_TYPE_I32, [M], 'loss_rows');
  const targets = ctx.tensor(GGML_TYPE_F32, [V, M], 'loss_targets');
  f.ggml_set_input(rows);
  f.ggml_set_input(targets);
  const kept = f.ggml_get_rows(ctx.ptr, hidden, rows); // [hidden, M]
  const logits = lmHead(f, ctx.ptr, p, kept); // [V, M]
  let loss: TensorPtr;
  if (plan.uniform) {
    loss = f.ggml_cross_entropy_loss(ctx.ptr, logits, targets);
  } else {
    const logp = f.ggml_log(ctx.ptr, f.ggml_soft_max(ctx.ptr, logits));
    loss = f.ggml_scale(ctx.ptr, f.ggml_sum(ctx.ptr, f.ggml_mul(ctx.ptr, logp, targets)), -1 / plan.weightSum);
  }
  f.ggml_set_loss(loss);
  f.ggml_set_output(loss);
  return { loss, rows, targets };
}
