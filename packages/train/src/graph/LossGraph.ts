import { EngineError } from '@puyu/core';
import {
  castWeightProducts,
  type GallocrPtr,
  GGML_TYPE_BF16,
  GGML_TYPE_F32,
  GGML_TYPE_I32,
  type GgmlBlasBackend,
  GgmlContext,
  type GraphPtr,
  outProdToMulMat,
  type SchedPtr,
  type TensorPtr,
} from '@puyu/ggml';
import { buildInternLM2Hidden } from './buildInternLM2Graph.js';
import type { AttachedAdapter, GraphAdapter } from './GraphAdapter.js';
import type { InternLM2Params } from './InternLM2Params.js';
import { buildMaskedCrossEntropy, type LossPlan } from './maskedCrossEntropy.js';
import type { TrainPrecision } from './precision.js';

const GRAPH_SIZE = 16_384;

/**
 * How the backward pass computes its matrix products: `mul_mat` rewrites ggml's
 * OUT_PROD gradient nodes into MUL_MAT over transposes (same values, ~3× faster on
 * CPU: bench/train/profile.ts); `out_prod` keeps ggml's autograd graph as built.
 */
export type BackwardMatmul = 'mul_mat' | 'out_prod';

/** What a released graph hands to its replacement: the CPU allocator, or the BLAS scheduler. */
export interface GraphAllocator {
  galloc: GallocrPtr | null;
  sched: SchedPtr | null;
}

export interface LossGraphShape {
  B: number;
  T: number;
  /** Loss rows: the kept rows (non-zero weights) padded to LOSS_ROW_MULTIPLE. */
  M: number;
  /** All kept weights are 1 (fused cross-entropy). */
  uniform: boolean;
  withGrads: boolean;
  backwardMatmul: BackwardMatmul;
  /** Weight products in f32, or bf16 with f32 accumulation (precision.ts). */
  precision: TrainPrecision;
}

/**
 * The masked-loss graph (forward, and backward when asked) for one batch shape, built
 * once and evaluated many times: its structure depends only on the shape, so a training
 * loop rebuilds nothing per step and the allocator keeps its buffer. Inputs must be set
 * before every compute — the allocator reuses input memory once the graph has read it.
 */
export class LossGraph {
  readonly ctx: GgmlContext;
  /** The graph to compute. */
  readonly graph: GraphPtr;
  /** The graph ggml's autograd built: owns the gradient bookkeeping (grads, reset). */
  readonly gradGraph: GraphPtr;
  readonly tokens: TensorPtr;
  readonly positions: TensorPtr;
  readonly mask: TensorPtr;
  readonly lossRows: TensorPtr;
  readonly lossTargets: TensorPtr;
  readonly lossRowMask: TensorPtr;
  readonly lossScale: TensorPtr;
  readonly loss: TensorPtr;
  /** The adapter as built into this graph (LoRA), if any. */
  readonly adapter?: AttachedAdapter;
  private galloc: GallocrPtr | null = null;
  private sched: SchedPtr | null = null;
  private freed = false;

  constructor(
    readonly params: InternLM2Params,
    readonly shape: LossGraphShape,
    plan: LossPlan,
    /** Optional BLAS backend: matrix products go to it under a scheduler, the rest to the CPU. */
    readonly blas?: GgmlBlasBackend,
    /** Trainable tensors on a frozen base (LoRA): dropout only in the graph with gradients. */
    adapter?: GraphAdapter,
    /**
     * The allocator (or, with BLAS, the scheduler) of the graph this one replaces (`release()`):
     * its buffers are reused when big enough, so a rebuilt graph's first compute does not fault in
     * fresh pages (~0.5 s a step on bench/finetune's model, where SFT batches change shape every
     * step; pretraining's packed batches change their loss rows every step too).
     */
    allocator: GraphAllocator | null = null,
  ) {
    this.galloc = allocator?.galloc ?? null;
    this.sched = allocator?.sched ?? null;
    const f = params.backend.lib.fn;
    const { B, T, withGrads } = shape;
    // room for the autograd graph, the rewritten copy, and the transposes it adds
    this.ctx = new GgmlContext({ maxTensors: GRAPH_SIZE * 3, graphSize: GRAPH_SIZE, grads: withGrads });
    const ctx = this.ctx;
    this.tokens = ctx.tensor(GGML_TYPE_I32, [B * T], 'tokens');
    this.positions = ctx.tensor(GGML_TYPE_I32, [B * T], 'positions');
    this.mask = ctx.tensor(GGML_TYPE_F32, [T, T, params.config.num_attention_heads * B], 'mask');
    for (const t of [this.tokens, this.positions, this.mask]) f.ggml_set_input(t);
    this.adapter = adapter?.attach(f, ctx.ptr, B * T, withGrads);
    const inputs = { tokens: this.tokens, positions: this.positions, mask: this.mask };
    const hidden = buildInternLM2Hidden(f, ctx.ptr, params, inputs, B, T, this.adapter?.hook);
    const lossT = buildMaskedCrossEntropy(f, ctx, params, hidden, plan);
    this.loss = lossT.loss;
    this.lossRows = lossT.rows;
    this.lossTargets = lossT.targets;
    this.lossRowMask = lossT.rowMask;
    this.lossScale = lossT.scale;
    this.gradGraph = f.ggml_new_graph_custom(ctx.ptr, GRAPH_SIZE, withGrads);
    f.ggml_build_forward_expand(this.gradGraph, this.loss);
    this.graph = this.gradGraph;
    if (withGrads) f.ggml_build_backward_expand(ctx.ptr, this.gradGraph, null);
    // bf16 products are cast in after autograd (it refuses bf16 on a gradient path); the
    // rewrite below then turns their OUT_PRODs, which have no bf16 kernel, into bf16 MUL_MATs
    if (shape.precision === 'bf16')
      this.graph = castWeightProducts(f, ctx.ptr, this.gradGraph, GRAPH_SIZE, {
        type: GGML_TYPE_BF16,
        weights: new Set(params.tensors.values()),
        // attention's activation products too, as InternEvo's bf16 attention does: measured 452 → 392 ms
        // per reference step, 300-step held-out loss still within 1% of fp32 (packages/train/README.md)
        activations: true,
      }).graph;
    // BLAS's sgemm transposes for free, so only the batched (attention) products, which
    // its OUT_PROD does not take, are rewritten for it
    if (withGrads && shape.backwardMatmul === 'mul_mat')
      this.graph = outProdToMulMat(f, ctx.ptr, this.graph, GRAPH_SIZE, { keepMatrices: !!blas }).graph;
  }

  /** Allocates every intermediate in one backend buffer, kept for later computes. */
  allocate(): void {
    const f = this.params.backend.lib.fn;
    if (this.blas) {
      // BLAS and CPU both use host buffers: the scheduler splits the graph without copies
      // a scheduler handed over by the graph this one replaces still holds that graph's assignment
      if (this.sched) f.ggml_backend_sched_reset(this.sched);
      else this.sched = f.ggml_backend_sched_new([this.blas.ptr, this.params.backend.ptr], null, 2, GRAPH_SIZE, false, false);
      if (!this.sched || !f.ggml_backend_sched_alloc_graph(this.sched, this.graph))
        throw new EngineError('TRAIN_GRAPH_ALLOC_FAILED', 'could not allocate the training graph (out of memory?).');
      return;
    }
    this.galloc ??= f.ggml_gallocr_new(f.ggml_backend_get_default_buffer_type(this.params.backend.ptr));
    if (!this.galloc || !f.ggml_gallocr_alloc_graph(this.galloc, this.graph))
      throw new EngineError('TRAIN_GRAPH_ALLOC_FAILED', 'could not allocate the training graph (out of memory?).');
  }

  /**
   * Copies a batch into the input tensors and, with grads, zeroes the gradients (d loss = 1).
   * `adapterSeed` picks an adapter's dropout masks.
   */
  setInputs(ids: Int32Array, positions: Int32Array, mask: Float32Array, plan: LossPlan, adapterSeed = 0): void {
    const f = this.params.backend.lib.fn;
    f.ggml_backend_tensor_set(this.tokens, ids, 0, ids.byteLength);
    f.ggml_backend_tensor_set(this.positions, positions, 0, positions.byteLength);
    f.ggml_backend_tensor_set(this.mask, mask, 0, mask.byteLength);
    f.ggml_backend_tensor_set(this.lossRows, plan.rows, 0, plan.rows.byteLength);
    f.ggml_backend_tensor_set(this.lossTargets, plan.targets, 0, plan.targets.byteLength);
    f.ggml_backend_tensor_set(this.lossRowMask, plan.rowMask, 0, plan.rowMask.byteLength);
    const scale = Float32Array.of(plan.scale);
    f.ggml_backend_tensor_set(this.lossScale, scale, 0, scale.byteLength);
    this.adapter?.setInputs(adapterSeed);
    if (this.shape.withGrads) f.ggml_graph_reset(this.gradGraph);
  }

  compute(): number {
    const f = this.params.backend.lib.fn;
    const status = this.sched
      ? f.ggml_backend_sched_graph_compute(this.sched, this.graph)
      : f.ggml_backend_graph_compute(this.params.backend.ptr, this.graph);
    if (status !== 0) throw new EngineError('TRAIN_GRAPH_COMPUTE_FAILED', `ggml graph compute failed with status ${status}.`);
    const lossV = new Float32Array(1);
    f.ggml_backend_tensor_get(this.loss, lossV, 0, 4);
    return lossV[0];
  }

  /** The gradient tensor of a parameter after compute (null when it gets none). */
  grad(param: TensorPtr): TensorPtr | null {
    return this.params.backend.lib.fn.ggml_graph_get_grad(this.gradGraph, param);
  }

  sameShape(s: LossGraphShape): boolean {
    const a = this.shape;
    return (
      a.B === s.B &&
      a.T === s.T &&
      a.M === s.M &&
      a.uniform === s.uniform &&
      a.withGrads === s.withGrads &&
      a.backwardMatmul === s.backwardMatmul &&
      a.precision === s.precision
    );
  }

  /** Frees the graph but hands back its allocator or scheduler (and buffers) for the graph that replaces it. */
  release(): GraphAllocator {
    const kept = { galloc: this.galloc, sched: this.sched };
    this.galloc = null;
    this.sched = null;
    this.free();
    return kept;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    if (this.galloc) this.params.backend.lib.fn.ggml_gallocr_free(this.galloc);
    if (this.sched) this.params.backend.lib.fn.ggml_backend_sched_free(this.sched);
    this.ctx.free();
  }
}
