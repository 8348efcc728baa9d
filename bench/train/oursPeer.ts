/**
 * Our training step, exactly what `pretrain` does per step: GgmlInternLM2.lossAndGrads
 * (ggml forward + autograd backward) → clip by global norm → host AdamW → upload.
 * Child of run.ts; prints one PeerResult JSON line.
 *
 *   tsx --conditions=source bench/train/oursPeer.ts <hfDir> <tokens.bin> <steps> <B> <T> <threads> [mul_mat|out_prod] [fp32|bf16] [replicas]
 *
 * The seventh argument picks how the backward computes matrix products (GgmlInternLM2's
 * `backwardMatmul`): `out_prod` is ggml's autograd graph unchanged, the baseline. The one after
 * it is the precision (`bf16`: mixed precision, f32 master weights and AdamW). The last is the
 * number of data-parallel replicas (train.replicas: DataParallelModel, `threads` each).
 */
import { readFileSync } from 'node:fs';
import { loadHfModel } from '@puyu/model';
import {
  AdamW,
  type BackwardMatmul,
  clipGradNorm,
  DataParallelModel,
  decaysMatrices,
  GgmlInternLM2,
  type TrainPrecision,
} from '@puyu/train';
import { OPTIM, type PeerResult, stepRows } from './benchSetup.js';

const [hfDir, tokensPath, stepsArg, bArg, tArg, threadsArg, backwardArg = 'mul_mat', precisionArg = 'fp32', replicasArg = '1'] =
  process.argv.slice(2);
const replicas = Number(replicasArg);
const backwardMatmul = backwardArg as BackwardMatmul;
const precision = precisionArg as TrainPrecision;
const steps = Number(stepsArg);
const B = Number(bArg);
const T = Number(tArg);
const stream = new Int32Array(new Uint8Array(readFileSync(tokensPath)).buffer);
const { config, weights } = await loadHfModel(hfDir);
const shapes = new Map([...weights].map(([n, t]) => [n, t.shape]));
const adam = new AdamW({ beta1: OPTIM.beta1, beta2: OPTIM.beta2, eps: OPTIM.eps, weightDecay: OPTIM.weightDecay }, decaysMatrices(shapes));
const threads = Number(threadsArg);
const ones = new Float32Array(B * T).fill(1);
type Grads = ReadonlyMap<string, { data: Float32Array }>;
// one model, or `replicas` copies on worker threads (what pretrain runs with train.replicas, which
// also splits clipping and AdamW between the threads: optimizerStep)
const model =
  replicas > 1
    ? ((dp: DataParallelModel) => ({
        lossAndGrads: (rows: number[][], targets: Int32Array) => dp.lossAndGrads({ rows, targets, weights: ones }),
        optimize: (g: Map<string, Float32Array>) => dp.optimizerStep({ grads: g, adam, lr: OPTIM.lr, maxNorm: OPTIM.clip }),
        free: () => dp.free(),
      }))(new DataParallelModel(config, weights, { replicas, threads, precision }))
    : ((g: GgmlInternLM2) => ({
        lossAndGrads: (rows: number[][], targets: Int32Array): { loss: number; grads: Grads } => g.lossAndGrads(rows, targets, ones),
        optimize: (grads: Map<string, Float32Array>) => {
          clipGradNorm(grads.values(), OPTIM.clip);
          adam.step(new Map([...weights].map(([n, t]) => [n, t.data])), grads, OPTIM.lr);
          g.params.upload(weights);
        },
        free: () => g.free(),
      }))(new GgmlInternLM2(config, weights, { threads, trainable: true, backwardMatmul, precision }));
const base = backwardMatmul === 'out_prod' ? 'ours_outprod' : precision === 'bf16' ? 'ours_bf16' : 'ours';
const result: PeerResult = {
  peer: replicas > 1 ? base.replace('ours', 'ours_dp') : base,
  stepMs: [],
  tokensPerStep: B * T,
  losses: [],
  hostMs: [],
};
for (let s = 0; s < steps; s++) {
  const { rows, targets } = stepRows(stream, s, B, T);
  const t0 = performance.now();
  const { loss, grads } = model.lossAndGrads(rows, Int32Array.from(targets));
  const t1 = performance.now();
  model.optimize(new Map([...grads].map(([n, t]) => [n, t.data])));
  const t2 = performance.now();
  result.stepMs.push(t2 - t0);
  result.hostMs?.push(t2 - t1);
  result.losses.push(loss);
}
model.free();
process.stdout.write(`${JSON.stringify(result)}\n`);
