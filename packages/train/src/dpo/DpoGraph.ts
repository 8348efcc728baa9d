import { EngineError } from '@puyu/core';
import {
  type GallocrPtr,
  GGML_TYPE_F32,
  GGML_TYPE_I32,
  type GgmlBlasBackend,
  GgmlContext,
  type GraphPtr,
  outProdToMulMat,
  type SchedPtr,
  type TensorPtr,
} from '@puyu/ggml';
import { buildInternLM2Hidden, lmHead } from '../graph/buildInternLM2Graph.js';
import type { InternLM2Params } from '../graph/InternLM2Params.js';
import type { BackwardMatmul } from '../graph/LossGraph.js';

const GRAPH_SIZE = 16_384;

export interface DpoGraphShape {
  /** Rows: 2 per pair (chosen, rejected). */
  B: number;
  T: number;
  /** Reply positions kept before the LM head, padded up (padding rows count for nothing). */
  M: number;
  beta: number;
  /** Weight of the chosen replies' mean NLL added to the loss (RPO, TRL's rpo_alpha); 0 = plain DPO. */
  nll: number;
  withGrads: boolean;
  backwardMatmul: BackwardMatmul;
}

/** Host-side inputs for one batch (see planDpoBatch). */
export interface DpoPlan {
  /** [M] positions (into the B·T) whose next token is a reply token; padding repeats 0. */
  rows: Int32Array;
  /** [M, V] one-hot next tokens (padding rows all zero). */
  onehot: Float32Array;
  /** [B, M] 1 where kept row m belongs to sequence b: sums token log-probs into sequence log-probs. */
  seqSel: Float32Array;
  /** [2P, B] column 2p = +chosen −rejected of pair p, column 2p+1 = 0 (the zero logit of log σ). */
  pairSel: Float32Array;
  /** [P, 2] (r_c − r_r, 0) per pair: the reference log-ratio. */
  ref: Float32Array;
  /** [P, 2] (1, 0) per pair: picks log σ(z) out of the two-way log-softmax. */
  pick: Float32Array;
  /** [B] −1 / (P · reply tokens) on chosen rows, 0 on rejected ones: the chosen replies' mean NLL. */
  nllSel: Float32Array;
}

/**
 * Sigmoid DPO as one ggml graph, differentiated by ggml's autograd (forward, and backward when
 * asked), built once per shape:
 *
 *   log p(token)  = log softmax(LM head(hidden[reply rows]))·onehot      (GET_ROWS, SOFT_MAX, LOG, MUL, SUM_ROWS)
 *   π_b           = Σ reply tokens of sequence b                          (MUL_MAT by the 0/1 seqSel)
 *   z_p           = β·((π_c − π_r) − (r_c − r_r))                         (MUL_MAT by ±1 pairSel, SUB, SCALE)
 *   loss          = −mean_p log σ(z_p) = −mean_p log softmax([z_p, 0])₀   (SOFT_MAX, LOG, MUL, SUM, SCALE)
 *
 * Every op here has a backward in ggml (ggml.c ggml_compute_backward). log σ is taken as a
 * two-way log-softmax because ggml's SOFT_MAX subtracts the row maximum, so it stays finite for
 * any |z| that f32 can hold; the graph also outputs π_b for the metrics and the reference pass.
 */
export class DpoGraph {
  readonly ctx: GgmlContext;
  readonly graph: GraphPtr;
  readonly gradGraph: GraphPtr;
  readonly inputs: Record<
    'tokens' | 'positions' | 'mask' | 'rows' | 'onehot' | 'seqSel' | 'pairSel' | 'ref' | 'pick' | 'nllSel',
    TensorPtr
  >;
  readonly loss: TensorPtr;
  readonly seqLogp: TensorPtr;
  private galloc: GallocrPtr | null = null;
  private sched: SchedPtr | null = null;
  private freed = false;

  constructor(
    readonly params: InternLM2Params,
    readonly shape: DpoGraphShape,
    readonly blas?: GgmlBlasBackend,
  ) {
    const f = params.backend.lib.fn;
    const { B, T, M, beta, withGrads } = shape;
    const P = B / 2;
    const V = params.config.vocab_size;
    this.ctx = new GgmlContext({ maxTensors: GRAPH_SIZE * 3, graphSize: GRAPH_SIZE, grads: withGrads });
    const c = this.ctx;
    const x = c.ptr;
    this.inputs = {
      tokens: c.tensor(GGML_TYPE_I32, [B * T], 'tokens'),
      positions: c.tensor(GGML_TYPE_I32, [B * T], 'positions'),
      mask: c.tensor(GGML_TYPE_F32, [T, T, params.config.num_attention_heads * B], 'mask'),
      rows: c.tensor(GGML_TYPE_I32, [M], 'dpo_rows'),
      onehot: c.tensor(GGML_TYPE_F32, [V, M], 'dpo_onehot'),
      seqSel: c.tensor(GGML_TYPE_F32, [M, B], 'dpo_seq_sel'),
      pairSel: c.tensor(GGML_TYPE_F32, [B, 2 * P], 'dpo_pair_sel'),
      ref: c.tensor(GGML_TYPE_F32, [2, P], 'dpo_ref'),
      pick: c.tensor(GGML_TYPE_F32, [2, P], 'dpo_pick'),
      nllSel: c.tensor(GGML_TYPE_F32, [B, 1], 'dpo_nll_sel'),
    };
    for (const t of Object.values(this.inputs)) f.ggml_set_input(t);
    const { tokens, positions, mask, rows, onehot, seqSel, pairSel, ref, pick, nllSel } = this.inputs;
    const hidden = buildInternLM2Hidden(f, x, params, { tokens, positions, mask }, B, T);
    const logits = lmHead(f, x, params, f.ggml_get_rows(x, hidden, rows)); // [V, M]
    const tokenLogp = f.ggml_sum_rows(x, f.ggml_mul(x, f.ggml_log(x, f.ggml_soft_max(x, logits)), onehot)); // [1, M]
    this.seqLogp = f.ggml_mul_mat(x, seqSel, f.ggml_reshape_2d(x, tokenLogp, M, 1)); // [B, 1]
    const diff = f.ggml_reshape_2d(x, f.ggml_mul_mat(x, pairSel, this.seqLogp), 2, P); // [2, P]: (π_c − π_r, 0)
    const z = f.ggml_scale(x, f.ggml_sub(x, diff, ref), beta);
    const logSigmoid = f.ggml_sum(x, f.ggml_mul(x, f.ggml_log(x, f.ggml_soft_max(x, z)), pick));
    const dpoLoss = f.ggml_scale(x, logSigmoid, -1 / P);
    // RPO: + α · mean over pairs of the chosen reply's per-token NLL (keeps the chosen likelihood up)
    this.loss =
      shape.nll > 0 ? f.ggml_add(x, dpoLoss, f.ggml_scale(x, f.ggml_sum(x, f.ggml_mul(x, this.seqLogp, nllSel)), shape.nll)) : dpoLoss;
    f.ggml_set_loss(this.loss);
    f.ggml_set_output(this.loss);
    f.ggml_set_output(this.seqLogp);
    this.gradGraph = f.ggml_new_graph_custom(x, GRAPH_SIZE, withGrads);
    f.ggml_build_forward_expand(this.gradGraph, this.loss);
    this.graph = this.gradGraph;
    if (withGrads) {
      f.ggml_build_backward_expand(x, this.gradGraph, null);
      if (shape.backwardMatmul === 'mul_mat')
        this.graph = outProdToMulMat(f, x, this.gradGraph, GRAPH_SIZE, { keepMatrices: !!blas }).graph;
    }
  }

  allocate(): void {
    const f = this.params.backend.lib.fn;
    if (this.blas) {
      this.sched ??= f.ggml_backend_sched_new([this.blas.ptr, this.params.backend.ptr], null, 2, GRAPH_SIZE, false, false);
      if (!this.sched || !f.ggml_backend_sched_alloc_graph(this.sched, this.graph))
        throw new EngineError('TRAIN_GRAPH_ALLOC_FAILED', 'could not allocate the DPO graph (out of memory?).');
      return;
    }
    this.galloc ??= f.ggml_gallocr_new(f.ggml_backend_get_default_buffer_type(this.params.backend.ptr));
    if (!this.galloc || !f.ggml_gallocr_alloc_graph(this.galloc, this.graph))
      throw new EngineError('TRAIN_GRAPH_ALLOC_FAILED', 'could not allocate the DPO graph (out of memory?).');
  }

  /** Sets every input (all are read each compute: the allocator may reuse their memory afterwards). */
  compute(ids: Int32Array, positions: Int32Array, mask: Float32Array, plan: DpoPlan): { loss: number; seqLogp: Float32Array } {
    const f = this.params.backend.lib.fn;
    const set = (t: TensorPtr, a: Int32Array | Float32Array) => f.ggml_backend_tensor_set(t, a, 0, a.byteLength);
    const i = this.inputs;
    set(i.tokens, ids);
    set(i.positions, positions);
    set(i.mask, mask);
    set(i.rows, plan.rows);
    set(i.onehot, plan.onehot);
    set(i.seqSel, plan.seqSel);
    set(i.pairSel, plan.pairSel);
    set(i.ref, plan.ref);
    set(i.pick, plan.pick);
    // only in the graph (so allocated) with RPO
    if (this.shape.nll > 0) set(i.nllSel, plan.nllSel);
    if (this.shape.withGrads) f.ggml_graph_reset(this.gradGraph);
    const status = this.sched
      ? f.ggml_backend_sched_graph_compute(this.sched, this.graph)
      : f.ggml_backend_graph_compute(this.params.backend.ptr, this.graph);
    if (status !== 0) throw new EngineError('TRAIN_GRAPH_COMPUTE_FAILED', `ggml graph compute failed with status ${status}.`);
    const loss = new Float32Array(1);
    f.ggml_backend_tensor_get(this.loss, loss, 0, 4);
    const seqLogp = new Float32Array(this.shape.B);
    f.ggml_backend_tensor_get(this.seqLogp, seqLogp, 0, seqLogp.byteLength);
    return { loss: loss[0], seqLogp };
  }

  grad(param: TensorPtr): TensorPtr | null {
    return this.params.backend.lib.fn.ggml_graph_get_grad(this.gradGraph, param);
  }

  sameShape(s: DpoGraphShape): boolean {
    const a = this.shape;
    return (
      a.B === s.B &&
      a.T === s.T &&
      a.M === s.M &&
      a.beta === s.beta &&
      a.nll === s.nll &&
      a.withGrads === s.withGrads &&
      a.backwardMatmul === s.backwardMatmul
    );
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    const f = this.params.backend.lib.fn;
    if (this.galloc) f.ggml_gallocr_free(this.galloc);
    if (this.sched) f.ggml_backend_sched_free(this.sched);
    this.ctx.free();
  }
}
