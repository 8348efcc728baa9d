import type { GgmlContext, GgmlFunctions, TensorPtr } from '@puyu/ggml';
import { GGML_TYPE_F32, GGML_TYPE_I32 } from '@puyu/ggml';
import { lmHead } from './buildInternLM2Graph.js';
import type { InternLM2Params } from './InternLM2Params.js';

/**
 * Loss rows are padded to a multiple of this. The output layer's weight gradient reduces over
 * the loss rows, and ggml's tinyBLAS GEMM takes a reduction only in whole SIMD vectors (16 f32 or
 * 32 bf16 lanes on AVX-512): with 1,021 rows it fell back to ggml's row-by-row dot products, and
 * pretraining (whose packed batches drop the rows that cross a document boundary) and SFT (which
 * keeps only the answers' tokens) almost never have a round count. Measured on the quickstart's
 * model (hidden 128, 8×128 tokens, bf16): 1,023 rows cost 17% more per step than 1,024 (three models stepped in turn in one process). A fixed
 * padded count also keeps the graph from being rebuilt when the count moves within it.
 */
export const LOSS_ROW_MULTIPLE = 64;

/** Host-side view of which positions count and how much. */
export interface LossPlan {
  /** Indices (into the B·T positions) of the kept rows (non-zero weight), then padding rows (index 0). */
  rows: Int32Array;
  /** One-hot targets scaled by each kept row's weight, row-major [rows, vocab]; zero for padding. */
  targets: Float32Array;
  /** 1 for a kept row, 0 for a padding row: padding reaches the output layer as a zero vector. */
  rowMask: Float32Array;
  /** Rows with a non-zero weight (`rows` holds these, then padding up to LOSS_ROW_MULTIPLE). */
  kept: number;
  /** Σ weights over kept rows (the loss is Σ w·CE / Σ w). */
  weightSum: number;
  /** True when every kept weight is exactly 1, so ggml's fused cross-entropy applies. */
  uniform: boolean;
  /** What the graph multiplies its summed loss by (an input, so it is not baked into the graph). */
  scale: number;
}

/**
 * Plans a masked loss. Zero-weight positions are dropped before the LM head, so they cost no
 * compute and can carry no gradient; the kept rows are padded to a multiple of
 * LOSS_ROW_MULTIPLE with rows that contribute exactly nothing (zero input, zero target).
 */
export function planMaskedLoss(
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  vocab: number,
  /** Where the weighted one-hot targets go, kept between steps; a new array when absent. */
  scratch?: TargetScratch,
): LossPlan {
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
  const padded = M === 0 ? 0 : Math.ceil(M / LOSS_ROW_MULTIPLE) * LOSS_ROW_MULTIPLE;
  const t = scratch ? scratch.take(padded * vocab) : new Float32Array(padded * vocab);
  const rows = new Int32Array(padded); // padding rows read position 0; their input is masked to zero
  const rowMask = new Float32Array(padded);
  keep.forEach((i, m) => {
    const id = targets[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new RangeError(`target id ${id} at position ${i} is outside [0, ${vocab}).`);
    t[m * vocab + id] = weights[i];
    scratch?.touched(m * vocab + id);
    rows[m] = i;
    rowMask[m] = 1;
  });
  // fused: ggml's mean over all rows, rescaled to the kept ones; weighted: −Σ w·log p / Σ w
  const scale = uniform ? padded / M : -1 / weightSum;
  return { rows, targets: t, rowMask, kept: M, weightSum, uniform, scale };
}

export interface MaskedLossTensors {
  loss: TensorPtr;
  /**
   * Inputs to fill after allocation: `rows` (I32 [R]), `targets` (F32 [vocab, R]), `rowMask`
   * (F32 [1, R]) and `scale` (F32 [1]), R the padded row count.
   */
  rows: TensorPtr;
  targets: TensorPtr;
  rowMask: TensorPtr;
  scale: TensorPtr;
}

/**
 * Σ w·CE / Σ w over the kept rows of `hidden` (ne [hidden, B·T]).
 * With uniform weights this is ggml's fused CROSS_ENTROPY_LOSS (a mean over all rows, padding
 * included, times rows/kept); otherwise log-softmax picked by the weighted one-hot targets — the
 * fused op's backward assumes each target row sums to 1, which weighted rows do not.
 *
 * Padding rows enter the output layer as zero vectors (the row mask), so the output weight's
 * gradient gets nothing from them, and their zero targets add exactly 0 to the loss; the fused
 * backward's softmax term on them goes back through the mask as zero. Both paths take their
 * scale as an input, so the graph depends only on the padded row count and on `uniform`.
 */
export function buildMaskedCrossEntropy(
  f: GgmlFunctions,
  ctx: GgmlContext,
  p: InternLM2Params,
  hidden: TensorPtr,
  plan: LossPlan,
): MaskedLossTensors {
  const V = p.config.vocab_size;
  const R = plan.rows.length;
  const rows = ctx.tensor(GGML_TYPE_I32, [R], 'loss_rows');
  const targets = ctx.tensor(GGML_TYPE_F32, [V, R], 'loss_targets');
  const rowMask = ctx.tensor(GGML_TYPE_F32, [1, R], 'loss_row_mask');
  const scale = ctx.tensor(GGML_TYPE_F32, [1], 'loss_scale');
  for (const t of [rows, targets, rowMask, scale]) f.ggml_set_input(t);
  const kept = f.ggml_mul(ctx.ptr, f.ggml_get_rows(ctx.ptr, hidden, rows), rowMask); // [hidden, R]
  const logits = lmHead(f, ctx.ptr, p, kept); // [V, R]
  const summed = plan.uniform
    ? f.ggml_cross_entropy_loss(ctx.ptr, logits, targets)
    : f.ggml_sum(ctx.ptr, f.ggml_mul(ctx.ptr, f.ggml_log(ctx.ptr, f.ggml_soft_max(ctx.ptr, logits)), targets));
  const loss = f.ggml_mul(ctx.ptr, summed, scale);
  f.ggml_set_loss(loss);
  f.ggml_set_output(loss);
  return { loss, rows, targets, rowMask, scale };
}

/**
 * The weighted one-hot target matrix (rows × vocab floats: 4 MiB for the quickstart's 512 rows ×
 * 2,048 pieces) reused from step to step, clearing only the entries the previous plan set. A new
 * zeroed array per step cost about as much as the loss itself outside ggml, and fed the GC.
 * `take` hands out a view that the next `take` changes.
 */
export class TargetScratch {
  private buffer = new Float32Array(0);
  private set: number[] = [];

  take(size: number): Float32Array {
    if (this.buffer.length < size) this.buffer = new Float32Array(size);
    else for (const i of this.set) this.buffer[i] = 0;
    this.set = [];
    return this.buffer.subarray(0, size);
  }

  touched(i: number): void {
    this.set.push(i);
  }
}
