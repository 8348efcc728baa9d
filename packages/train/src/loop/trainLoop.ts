import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, Progress } from '@puyu/core';
import type { F32Tensor } from '@puyu/model';
import { Checkpoints } from '../checkpoint/Checkpoints.js';
import { parseTrainerState, restoreTensors } from '../checkpoint/trainerState.js';
import type { BatcherState, PackedBatch } from '../data/PackedBatcher.js';
import type { TrainPrecision } from '../graph/precision.js';
import { AdamW, decaysMatrices } from '../optim/AdamW.js';
import { clipGradNorm } from '../optim/clipGradNorm.js';
import { learningRate } from '../optim/lrSchedule.js';
import { effectiveReplicas } from '../pretrain/estimateMemory.js';
import { checkResumable, type RunFingerprint, withPrecision } from '../pretrain/fingerprint.js';
import { readMetrics, type StepMetrics, writeMetrics } from '../pretrain/metrics.js';
import { lossCurveSvg } from '../report/lossCurveSvg.js';
import type { FullExport } from './fullParameter.js';

/** A resumable source of training batches (PackedBatcher, SftBatcher, a method's own). */
export interface TrainBatcher<Batch = PackedBatch> {
  readonly state: BatcherState;
  restore(s: BatcherState): void;
  next(): Batch;
}

/**
 * What a method's model computes for one of its batches: the loss, and the gradient of every
 * trained tensor keyed like `LoopMethod.trained` (a tensor left out gets no update that step).
 */
export interface TrainModel<Batch> {
  /** `metrics`: the method's own per-batch figures (DPO's reward accuracy), averaged into the step's metrics row. */
  lossAndGrads(batch: Batch): {
    loss: number;
    grads: ReadonlyMap<string, { data: Float32Array }>;
    metrics?: Readonly<Record<string, number>>;
  };
  /** The loss alone (no backward pass, no dropout), for held-out evaluation. */
  loss(batch: Batch): number;
  /** Optional: held-out loss plus the method's own figures, used instead of `loss`; logged as `val_<name>`. */
  evaluate?(batch: Batch): { loss: number; metrics: Readonly<Record<string, number>> };
  /** Copies the trained tensors, just updated on the host by AdamW, into the model. */
  upload(): void;
  /**
   * Optional: clipping, AdamW and the upload of the new weights in one, for a model that does them
   * faster itself (data-parallel replicas split them between their threads). Returns the gradient
   * norm before clipping, as clipGradNorm does.
   */
  optimizerStep?(o: { grads: ReadonlyMap<string, Float32Array>; adam: AdamW; lr: number; maxNorm: number }): number;
  [Symbol.dispose](): void;
}

/** The settings every method shares: the optimiser, schedule, intervals and exports. */
export interface LoopSettings {
  train: {
    batch_size: number;
    seq_len: number;
    grad_accum: number;
    steps: number;
    lr: number;
    min_lr: number;
    warmup_steps: number;
    weight_decay: number;
    beta1: number;
    beta2: number;
    eps: number;
    grad_clip: number;
    threads: number;
    /** Data-parallel model copies (loop/dataParallel.ts); only methods with `dataParallel` take more than 1. */
    replicas?: number;
    /** As configured (unset = the CPU's default); only methods that declare `precision` take bf16. */
    precision?: TrainPrecision;
  };
  eval: { every: number; batches: number };
  checkpoint: { every: number; keep_last: number };
  output: { dir: string; gguf: readonly ('f32' | 'f16' | 'q8_0')[] };
}

/**
 * What one method (pretraining, SFT, LoRA, DPO) hands the shared loop: its data (a batcher of its
 * own batch type), which tensors train, the model that gives their loss and gradients, and its
 * export. Pretraining and full SFT take the last four from `fullParameter` (loop/fullParameter.ts).
 */
export interface LoopMethod<Batch = PackedBatch, Exported = FullExport> {
  /** Progress label and loss-curve title. */
  label: string;
  title: string;
  /**
   * The tensors AdamW updates and checkpoints hold, updated in place (the full weights, a LoRA
   * adapter, DPO's policy); a resume restores them before `model` is called.
   */
  trained: Map<string, F32Tensor>;
  /** Which trained tensors get weight decay (default: matrices, not 1-D tensors). */
  decays?: (name: string) => boolean;
  /** A micro-batch's share of a step is its weight over the step's total (tokens with loss, pairs). */
  batchWeight: (batch: Batch) => number;
  /** Builds the model (after any resume): loss and gradients of `trained` for a batch. */
  model: (threads: number, replicas: number) => TrainModel<Batch>;
  /** The model splits each batch across `replicas` copies (pretraining and full SFT). */
  dataParallel?: boolean;
  /** Writes the trained result under the output folder once the last step is done. */
  export: (outDir: string) => Promise<Exported>;
  fingerprint: RunFingerprint;
  /** The precision `model` trains in (default fp32); the loop adds it to the fingerprint. */
  precision?: TrainPrecision;
  batcher: TrainBatcher<Batch>;
  /** A fresh, unshuffled held-out batcher for each evaluation; none = no held-out loss. */
  evalBatcher?: () => { next(): Batch };
  /** Throws when a checkpoint's batcher state cannot belong to this data (checked before anything is restored). */
  checkBatcherState?: (s: BatcherState, checkpoint: string) => void;
  /** A horizontal line on the loss curve (pretraining's unigram baseline). */
  baseline?: { y: number; label: string };
}

export interface LoopOptions {
  /** Continue from the newest checkpoint in the output folder. */
  resume?: boolean;
  /** Stop (as if killed) after this many steps of this invocation; tests use it. */
  stopAfter?: number;
  /** Silence the progress bar and warnings. */
  quiet?: boolean;
}

export interface LoopResult<Exported = FullExport> {
  steps: number;
  finalLoss: number;
  valLoss?: number;
  outputs: Exported & { metrics: string; curve: string };
}

/**
 * The trainer loop every method shares, top to bottom:
 * optimiser + checkpoints → resume? (fingerprint, trainer state, tensors, metrics)
 * → for each step: micro-batches → the method's loss + grads → clip → AdamW (host)
 * → eval / checkpoint / metrics → the method's export.
 * The method decides what the batches hold, which tensors train, and what is exported.
 */
export async function trainLoop<Batch, Exported>(
  s: LoopSettings,
  m: LoopMethod<Batch, Exported>,
  opts: LoopOptions = {},
): Promise<LoopResult<Exported>> {
  const out = s.output.dir;
  const { trained, batcher } = m;
  const precision = m.precision ?? 'fp32';
  if (s.train.precision === 'bf16' && precision !== 'bf16')
    throw new ConfigError(
      'TRAIN_PRECISION_UNSUPPORTED',
      `${m.label} trains in fp32 only (bf16 mixed precision is for pretraining and full SFT); set train.precision to "fp32" or remove it.`,
    );
  const replicas = effectiveReplicas(s.train.replicas, s.train.batch_size);
  if (replicas > 1 && !m.dataParallel)
    throw new ConfigError(
      'TRAIN_REPLICAS_UNSUPPORTED',
      `${m.label} trains on one model copy (data-parallel replicas are for pretraining and full SFT); set train.replicas to 1 or remove it.`,
    );
  const fingerprint = withPrecision(m.fingerprint, precision);
  const { batch_size: B, seq_len: T, grad_accum: accum } = s.train;
  const info = (msg: string) => {
    if (!opts.quiet) process.stderr.write(`${msg}\n`);
  };
  const warn = (msg: string) => info(`warning: ${msg}`);

  // 1. Optimizer, checkpoints, and where a resumed run picks up.
  const shapes = new Map([...trained].map(([n, t]) => [n, t.shape]));
  const adam = new AdamW(
    { beta1: s.train.beta1, beta2: s.train.beta2, eps: s.train.eps, weightDecay: s.train.weight_decay },
    m.decays ?? decaysMatrices(shapes),
  );
  const checkpoints = new Checkpoints(join(out, 'checkpoints'), s.checkpoint.keep_last);
  const metricsPath = join(out, 'metrics.jsonl');
  const history: StepMetrics[] = [];
  let startStep = 0;
  let tokensSeen = 0;
  const latest = await refuseOverwrite(out, opts.resume);
  if (latest && opts.resume) {
    const ck = await checkpoints.load(latest.path);
    // every check runs before anything is restored: a refused resume changes nothing
    checkResumable(ck.fingerprint, fingerprint, latest.path, warn);
    const state = parseTrainerState(ck.extra, latest.path);
    m.checkBatcherState?.(state.batcher, latest.path);
    const { m: m1, v } = restoreTensors(ck, trained, latest.path);
    for (const [n, x] of m1) adam.m.set(n, x);
    for (const [n, x] of v) adam.v.set(n, x);
    adam.t = state.adamT;
    batcher.restore(state.batcher);
    startStep = ck.step;
    tokensSeen = state.tokensSeen;
    const read = await readMetrics(metricsPath);
    if (read.skipped.length)
      warn(`${metricsPath}: skipped unreadable line(s) ${read.skipped.join(', ')} (a write cut short by a kill); the rest is kept.`);
    // metrics written after that checkpoint belong to the lost part of the run
    history.push(...read.metrics.filter((x) => x.step <= startStep));
    await writeMetrics(metricsPath, history);
  } else await writeMetrics(metricsPath, []);

  if (precision === 'bf16')
    info(`${m.label}: bf16 mixed precision (f32 master weights and optimizer; set train.precision "fp32" to turn it off)`);
  if (replicas > 1)
    info(
      `${m.label}: ${replicas} data-parallel replicas, ${s.train.threads} thread(s) each (train.replicas; each step's rows split between them)`,
    );
  using model = m.model(s.train.threads, replicas);
  const evaluate = () => {
    if (!m.evalBatcher) return undefined;
    const vb = m.evalBatcher();
    let sum = 0;
    const metrics: Record<string, number> = {};
    for (let i = 0; i < s.eval.batches; i++) {
      const b = vb.next();
      if (!model.evaluate) {
        sum += model.loss(b);
        continue;
      }
      const r = model.evaluate(b);
      sum += r.loss;
      for (const [k, x] of Object.entries(r.metrics)) metrics[`val_${k}`] = (metrics[`val_${k}`] ?? 0) + x / s.eval.batches;
    }
    return { loss: sum / s.eval.batches, metrics };
  };

  // 2. The loop.
  const progress = new Progress({ total: s.train.steps, label: m.label, unit: 'step', silent: opts.quiet });
  progress.update(startStep);
  const save = async (step: number) =>
    checkpoints.save({
      step,
      params: trained,
      m: adam.m,
      v: adam.v,
      extra: { adamT: adam.t, batcher: batcher.state, tokensSeen },
      fingerprint: { ...fingerprint },
    });
  const curve = () => writeCurve(out, history, m.title, m.baseline);
  let ran = 0;
  // a resumed run that had already finished reports what it ended with
  let lastLoss = history.at(-1)?.loss ?? Number.NaN;
  let lastVal = history.findLast((x) => x.val_loss !== undefined)?.val_loss;
  for (let step = startStep; step < s.train.steps; step++) {
    const t0 = performance.now();
    const micro = Array.from({ length: accum }, () => batcher.next());
    // each micro-batch counts by its share of the step's loss weight, so the step's loss is
    // the mean over every weighted target however the targets fall into micro-batches
    const totalWeight = micro.reduce((a, b) => a + m.batchWeight(b), 0);
    const grads = new Map<string, Float32Array>();
    const extra: Record<string, number> = {};
    let loss = 0;
    for (const b of micro) {
      const share = m.batchWeight(b) / totalWeight;
      if (share === 0) continue;
      const r = model.lossAndGrads(b);
      loss += r.loss * share;
      for (const [k, x] of Object.entries(r.metrics ?? {})) extra[k] = (extra[k] ?? 0) + x * share;
      for (const [name, g] of r.grads) {
        const acc = grads.get(name);
        if (!acc) {
          // a model may hand out the same buffers on its next call (DataParallelModel): with more
          // micro-batches to come, the sum starts in a copy
          const own = micro.length > 1 ? g.data.slice() : g.data;
          // one micro-batch (share 1, the usual case) needs no pass over the gradient: x·1 = x exactly
          if (share !== 1) for (let i = 0; i < own.length; i++) own[i] *= share;
          grads.set(name, own);
        } else for (let i = 0; i < acc.length; i++) acc[i] += g.data[i] * share;
      }
    }
    const lr = learningRate({ lr: s.train.lr, minLr: s.train.min_lr, warmupSteps: s.train.warmup_steps, totalSteps: s.train.steps }, step);
    let gradNorm: number;
    if (model.optimizerStep) gradNorm = model.optimizerStep({ grads, adam, lr, maxNorm: s.train.grad_clip });
    else {
      gradNorm = clipGradNorm(grads.values(), s.train.grad_clip);
      adam.step(new Map([...trained].map(([n, t]) => [n, t.data])), grads, lr);
      model.upload();
    }
    tokensSeen += B * T * accum;
    const done = step + 1;
    const row: StepMetrics = {
      step: done,
      loss,
      lr,
      grad_norm: gradNorm,
      tokens: tokensSeen,
      tokens_per_s: (B * T * accum * 1000) / (performance.now() - t0),
      ...extra,
    };
    if (done % s.eval.every === 0 || done === s.train.steps) {
      const ev = evaluate();
      row.val_loss = lastVal = ev?.loss;
      Object.assign(row, ev?.metrics);
    }
    lastLoss = loss;
    history.push(row);
    await appendFile(metricsPath, `${JSON.stringify(row)}\n`);
    progress.update(
      done,
      `loss ${loss.toFixed(4)}${row.val_loss !== undefined ? ` val ${row.val_loss.toFixed(4)}` : ''} | lr ${lr.toExponential(2)} | ${Math.round(row.tokens_per_s)} tok/s`,
    );
    if (done % s.checkpoint.every === 0 || done === s.train.steps) {
      await save(done);
      await curve();
    }
    ran++;
    if (opts.stopAfter !== undefined && ran >= opts.stopAfter && done < s.train.steps) {
      progress.finish('stopped early');
      throw new ConfigError('TRAIN_STOPPED', `stopped after ${ran} steps as asked (resume with --resume).`);
    }
  }
  progress.finish();

  // 3. The method's exports (HF folder + GGUF for full training; the adapter for LoRA).
  await curve();
  const exported = await m.export(out);
  return {
    steps: s.train.steps,
    finalLoss: lastLoss,
    valLoss: lastVal,
    outputs: { ...exported, metrics: metricsPath, curve: join(out, 'loss.svg') },
  };
}

/**
 * The newest checkpoint in `out`; refuses (TRAIN_OUTPUT_EXISTS) when there is one and this is
 * not a resume. Methods that write into output.dir before the loop (generated data) call it first.
 */
export async function refuseOverwrite(out: string, resume?: boolean): Promise<{ step: number; path: string } | undefined> {
  const latest = await new Checkpoints(join(out, 'checkpoints')).latest();
  if (latest && !resume) {
    throw new ConfigError(
      'TRAIN_OUTPUT_EXISTS',
      `${out} already has checkpoints (newest: step ${latest.step}); pass --resume to continue that run, or choose another output.dir.`,
    );
  }
  return latest;
}

async function writeCurve(
  dir: string,
  history: readonly StepMetrics[],
  title: string,
  baseline?: { y: number; label: string },
): Promise<void> {
  const svg = lossCurveSvg(
    [
      { label: 'train loss', color: '#1f77b4', points: history.map((x) => ({ x: x.step, y: x.loss })) },
      {
        label: 'held-out loss',
        color: '#d62728',
        points: history.filter((x) => x.val_loss !== undefined).map((x) => ({ x: x.step, y: x.val_loss as number })),
      },
    ],
    { title, xLabel: 'step', yLabel: 'cross-entropy (nats/token)', baseline },
  );
  await writeFile(join(dir, 'loss.svg'), svg);
}
