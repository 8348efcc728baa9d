import { EngineError } from '@puyu/core';
import type { InternLM2Weights } from '@puyu/model';
import { packedCausalMask, packedPositions } from '../graph/buildInternLM2Graph.js';
import type { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { DpoGraph, type DpoGraphShape, type DpoPlan } from './DpoGraph.js';
import type { DpoBatch } from './data/DpoBatcher.js';

/** Kept reply rows are padded up to a multiple of this, so batches of similar size share a graph. */
const ROW_STEP = 64;
/** Graphs kept (a few row lengths × row counts × with / without gradients). */
const MAX_GRAPHS = 8;

export interface DpoRun {
  /** The mean sigmoid DPO loss over the batch's pairs, as ggml computed it. */
  loss: number;
  /** Σ log p(reply tokens) per row: [π_c(0), π_r(0), π_c(1), …]. */
  seqLogp: Float32Array;
  grads?: InternLM2Weights;
}

/** The host-side inputs of a batch: which positions are reply tokens, and how rows sum into pairs. */
export function planDpoBatch(batch: DpoBatch, refDiff: ArrayLike<number>, vocab: number): DpoPlan & { kept: number } {
  const B = batch.rows.length;
  const T = batch.rows[0].length;
  const P = batch.pairs;
  if (B !== 2 * P || refDiff.length !== P)
    throw new EngineError('TRAIN_GRAPH_BAD_BATCH', `a DPO batch of ${P} pairs needs ${2 * P} rows and ${P} reference log-ratios.`);
  const kept: number[] = [];
  for (let i = 0; i < B * T; i++) if (batch.weights[i] !== 0) kept.push(i);
  if (!kept.length) throw new EngineError('TRAIN_EMPTY_LOSS', 'no reply token in this DPO batch; nothing to compare.');
  const M = Math.ceil(kept.length / ROW_STEP) * ROW_STEP;
  const rows = new Int32Array(M);
  const onehot = new Float32Array(M * vocab);
  const seqSel = new Float32Array(B * M);
  kept.forEach((pos, m) => {
    const id = batch.targets[pos];
    if (id < 0 || id >= vocab) throw new EngineError('TRAIN_GRAPH_TOKEN_RANGE', `target id ${id} is outside the vocabulary [0, ${vocab}).`);
    rows[m] = pos;
    onehot[m * vocab + id] = 1;
    seqSel[Math.floor(pos / T) * M + m] = 1;
  });
  const pairSel = new Float32Array(2 * P * B);
  const ref = new Float32Array(2 * P);
  const pick = new Float32Array(2 * P);
  const nllSel = new Float32Array(B);
  const replyTokens = new Float32Array(B);
  for (const pos of kept) replyTokens[Math.floor(pos / T)]++;
  for (let p = 0; p < P; p++) nllSel[2 * p] = replyTokens[2 * p] > 0 ? -1 / (P * replyTokens[2 * p]) : 0;
  for (let p = 0; p < P; p++) {
    pairSel[2 * p * B + 2 * p] = 1;
    pairSel[2 * p * B + 2 * p + 1] = -1;
    ref[2 * p] = refDiff[p];
    pick[2 * p] = 1;
  }
  return { rows, onehot, seqSel, pairSel, ref, pick, nllSel, kept: M };
}

/**
 * The DPO loss of a policy (a trainable GgmlInternLM2) on batches of pairs: the loss, the
 * per-sequence reply log-probs, and with `withGrads` the gradient of every parameter. Graphs
 * are cached per shape, like GgmlInternLM2's loss graphs.
 */
export class DpoModel {
  private graphs: DpoGraph[] = [];
  private masks = new Map<string, Float32Array>();

  constructor(
    readonly model: GgmlInternLM2,
    readonly beta: number,
    /** RPO's α: weight of the chosen replies' mean NLL in the loss (0 = plain sigmoid DPO). */
    readonly nll = 0,
  ) {}

  /** `refDiff[p]` = r_c − r_r, the reference model's log-ratio for pair p (0 for the reference pass itself). */
  run(batch: DpoBatch, refDiff: ArrayLike<number>, withGrads: boolean): DpoRun {
    const config = this.model.config;
    const B = batch.rows.length;
    const T = batch.rows[0]?.length ?? 0;
    if (B === 0 || T === 0 || batch.rows.some((r) => r.length !== T))
      throw new EngineError('TRAIN_GRAPH_BAD_BATCH', 'a DPO batch needs equal-length, non-empty rows.');
    const plan = planDpoBatch(batch, refDiff, config.vocab_size);
    const shape: DpoGraphShape = {
      B,
      T,
      M: plan.kept,
      beta: this.beta,
      nll: this.nll,
      withGrads,
      backwardMatmul: this.model.backwardMatmul,
    };
    const g = this.graph(shape);
    const ids = Int32Array.from(batch.rows.flat());
    const key = `${B}x${T}`;
    const mask = this.masks.get(key) ?? packedCausalMask(B, T, config.num_attention_heads);
    this.masks.set(key, mask);
    const r = g.compute(ids, packedPositions(B, T), mask, plan);
    if (!withGrads) return r;
    const f = this.model.backend.lib.fn;
    const grads: InternLM2Weights = new Map();
    for (const [name, t] of this.model.params.tensors) {
      const shape = this.model.params.shapes.get(name) as number[];
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      const gt = g.grad(t);
      if (gt) f.ggml_backend_tensor_get(gt, data, 0, data.byteLength);
      grads.set(name, { shape, data });
    }
    return { ...r, grads };
  }

  private graph(shape: DpoGraphShape): DpoGraph {
    const i = this.graphs.findIndex((g) => g.sameShape(shape));
    if (i >= 0) {
      const [g] = this.graphs.splice(i, 1);
      this.graphs.push(g);
      return g;
    }
    if (this.graphs.length >= MAX_GRAPHS) this.graphs.shift()?.free();
    const g = new DpoGraph(this.model.params, shape, this.model.blas);
    this.graphs.push(g);
    g.allocate();
    return g;
  }

  free(): void {
    for (const g of this.graphs) g.free();
    this.graphs = [];
  }

  [Symbol.dispose](): void {
    this.free();
  }
}
