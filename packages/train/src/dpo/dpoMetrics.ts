import type { DpoBatch } from './data/DpoBatcher.js';

/**
 * The implicit-reward figures of a batch (as TRL's DPOTrainer logs them): reward = β·(π − r) per
 * reply; accuracy = share of pairs whose chosen reply has the larger reward (a tie, as at step 0
 * where policy = reference, counts one half); margin = mean (reward_c − reward_r).
 */
export function dpoPairMetrics(seqLogp: ArrayLike<number>, batch: Pick<DpoBatch, 'pairs' | 'ref'>, beta: number): Record<string, number> {
  let acc = 0;
  let margin = 0;
  let chosen = 0;
  let rejected = 0;
  for (let p = 0; p < batch.pairs; p++) {
    const rc = beta * (seqLogp[2 * p] - batch.ref[2 * p]);
    const rr = beta * (seqLogp[2 * p + 1] - batch.ref[2 * p + 1]);
    acc += rc > rr ? 1 : rc === rr ? 0.5 : 0;
    margin += rc - rr;
    chosen += rc;
    rejected += rr;
  }
  const n = batch.pairs;
  return { reward_accuracy: acc / n, reward_margin: margin / n, reward_chosen: chosen / n, reward_rejected: rejected / n };
}

/** −mean log σ(β·((π_c − r_c) − (π_r − r_r))) on the host in float64: the figure the ggml graph computes. */
export function dpoLoss(seqLogp: ArrayLike<number>, batch: Pick<DpoBatch, 'pairs' | 'ref'>, beta: number): number {
  let sum = 0;
  for (let p = 0; p < batch.pairs; p++) {
    const z = beta * (seqLogp[2 * p] - batch.ref[2 * p] - (seqLogp[2 * p + 1] - batch.ref[2 * p + 1]));
    sum += z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
  }
  return sum / batch.pairs;
}
