/** Hyper-parameters of AdamW (decoupled weight decay, PyTorch semantics). */
export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
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
    private readonly decays: (name: string) => boolean,
  ) {}

  step(params: Map<string, Float32Array>, grads: Map<string, Float32Array>, lr: number): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps, weightDecay } = this.opts;
    const bc1 = 1 - b1 ** this.t;
    const bc2 = 1 - b2 ** this.t;
    const stepSize = lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
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
      const decay = this.decays(name) ? 1 - lr * weightDecay : 1;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = b1 * m[i] + (1 - b1) * gi;
        const vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
      }
    }
  }
}

/** Weight decay for matrices only: 1-D tensors (RMSNorm weights) are left alone. */
export function decaysMatrices(shapes: Map<string, readonly number[]>): (name: string) => boolean {
  return (name) => (shapes.get(name)?.length ?? 1) > 1;
}
