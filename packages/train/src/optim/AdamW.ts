import { adamwRangeSimd } from './adamwSimd.js';

/** Hyper-parameters of AdamW (decoupled weight decay, PyTorch semantics). */
export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** One step's scalars: the betas and eps, and what the step count and learning rate make of them. */
export interface AdamWStepScalars {
  beta1: number;
  beta2: number;
  eps: number;
  /** lr / (1 − β1^t) */
  stepSize: number;
  /** √(1 − β2^t) */
  sqrtBc2: number;
  /** The factor a decaying tensor's weights are multiplied by first: 1 − lr·weight_decay. */
  decay: number;
}

/**
 * AdamW on host fp32 master weights. We run the optimizer on the host rather than
 * in the graph: it is a small fraction of a step at these sizes, it keeps the
 * update exactly PyTorch's (bias correction, decoupled decay), and its state
 * (m, v, t) is plain arrays that checkpoint and resume bit for bit.
 */
export class AdamW {
  readonly m = new Map<string, Float32Array>();
  readonly v = new Map<string, Float32Array>();
  t = 0;

  constructor(
    readonly opts: AdamWOptions,
    /** Which parameters decay (InternEvo/XTuner skip norms and other 1-D tensors). */
    readonly decays: (name: string) => boolean,
  ) {}

  /**
   * Counts a step and returns its scalars, for a caller that runs `adamwRange` itself
   * (data-parallel replicas split the update between their threads).
   */
  beginStep(lr: number): AdamWStepScalars {
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.opts;
    return {
      beta1,
      beta2,
      eps,
      stepSize: lr / (1 - beta1 ** this.t),
      sqrtBc2: Math.sqrt(1 - beta2 ** this.t),
      decay: 1 - lr * weightDecay,
    };
  }

  step(params: Map<string, Float32Array>, grads: Map<string, Float32Array>, lr: number): void {
    const s = this.beginStep(lr);
    for (const [name, p] of params) {
      const g = grads.get(name);
      if (!g) continue;
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (!m || !v) {
        m = new Float32Array(p.length);
        v = new Float32Array(p.length);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      adamwRange(p, g, m, v, 0, p.length, s, this.decays(name), 1);
    }
  }
}

/**
 * The AdamW update of elements [from, to) of one tensor, in float64 SIMD lanes (adamwSimd.ts). `gradScale`
 * multiplies each gradient first (clipping folded into the update).
 */
export const adamwRange = adamwRangeSimd;

/** Weight decay for matrices only: 1-D tensors (RMSNorm weights) are left alone. */
export function decaysMatrices(shapes: Map<string, readonly number[]>): (name: string) => boolean {
  return (name) => (shapes.get(name)?.length ?? 1) > 1;
}
