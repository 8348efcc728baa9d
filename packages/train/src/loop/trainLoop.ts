import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, Progress } from '@puyu/core';
import { convertHfToGguf, type InternLM2Config, type InternLM2Weights, saveHfModel } from '@puyu/model';
import { Checkpoints } from '../checkpoint/Checkpoints.js';
import { parseTrainerState, restoreTensors } from '../checkpoint/trainerState.js';
import type { BatcherState, PackedBatch } from '../data/PackedBatcher.js';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { AdamW, decaysMatrices } from '../optim/AdamW.js';
import { clipGradNorm } from '../optim/clipGradNorm.js';
import { learningRate } from '../optim/lrSchedule.js';
import { checkResumable, type RunFingerprint, tokenizerFile } from '../pretrain/fingerprint.js';
import { readMetrics, type StepMetrics, writeMetrics } from '../pretrain/metrics.js';
import { lossCurveSvg } from '../report/lossCurveSvg.js';

/** A resumable source of training batches (PackedBatcher, SftBatcher). */
export interface TrainBatcher {
  readonly state: BatcherState;
  restore(s: BatcherState): void;
  next(): PackedBatch;
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
  };
  eval: { every: number; batches: number };
  checkpoint: { every: number; keep_last: number };
  output: { dir: string; gguf: readonly ('f32' | 'f16' | 'q8_0')[] };
}

/** What one method (pretraining, SFT…) hands the shared loop: its model, data and fingerprint. */
export interface LoopMethod {
  /** Progress label and loss-curve title. */
  label: string;
  title: string;
  config: InternLM2Config;
  /** Updated in place: the trained weights when the loop returns. */
  weights: InternLM2Weights;
  fingerprint: RunFingerprint;
  batcher: TrainBatcher;
  /** A fresh, unshuffled held-out batcher for each evaluation; none = no held-out loss. */
  evalBatcher?: () => { next(): PackedBatch };
  /** Throws when a checkpoint's batcher state cannot belong to this data (checked before anything is restored). */
  checkBatcherState?: (s: BatcherState, checkpoint: string) => void;
  /** A horizontal line on the loss curve (pretraining's unigram baseline). */
  baseline?: { y: number; label: string };
  /** The tokenizer exported with the HF folder (a `.model` or an HF folder). */
  tokenizer: string;
}

export interface LoopOptions {
  /** Continue from the newest checkpoint in the output folder. */
  resume?: boolean;
  /** Stop (as if killed) after this many steps of this invocation; tests use it. */
  stopAfter?: number;
  /** Silence the progress bar and warnings. */
  quiet?: boolean;
}

export interface LoopResult {
  steps: number;
  finalLoss: number;
  valLoss?: number;
  outputs: { hf: string; gguf: string[]; metrics: string; curve: string };
}

/**
 * The trainer loop every method shares, top to bottom:
 * optimiser + checkpoints → resume? (fingerprint, trainer state, tensors, metrics)
 * → for each step: micro-batches → masked loss + grads (ggml) → clip → AdamW (host)
 * → eval / checkpoint / metrics → export HF + GGUF.
 * All tensors are trained (full-parameter); the method decides only what the batches hold.
 */
export async function trainLoop(s: LoopSettings, m: LoopMethod, opts: LoopOptions = {}): Promise<LoopResult> {
  const out = s.output.dir;
  const { config, weights, batcher, fingerprint } = m;
  const { batch_size: B, seq_len: T, grad_accum: accum } = s.train;
  const warn = (msg: string) => {
    if (!opts.quiet) process.stderr.write(`warning: ${msg}\n`);
  };

  // 1. Optimizer, checkpoints, and where a resumed run picks up.
  const shapes = new Map([...weights].map(([n, t]) => [n, t.shape]));
  const adam = new AdamW(
    { beta1: s.train.beta1, beta2: s.train.beta2, eps: s.train.eps, weightDecay: s.train.weight_decay },
    decaysMatrices(shapes),
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
    const { m: m1, v } = restoreTensors(ck, weights, latest.path);
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

  using model = new GgmlInternLM2(config, weights, { threads: s.train.threads, trainable: true });
  const evalValLoss = () => {
    if (!m.evalBatcher) return undefined;
    const vb = m.evalBatcher();
    let sum = 0;
    for (let i = 0; i < s.eval.batches; i++) {
      const b = vb.next();
      sum += model.loss(b.rows, b.targets, b.weights, b.docIds);
    }
    return sum / s.eval.batches;
  };

  // 2. The loop.
  const progress = new Progress({ total: s.train.steps, label: m.label, unit: 'step', silent: opts.quiet });
  progress.update(startStep);
  const save = async (step: number) =>
    checkpoints.save({
      step,
      params: weights,
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
    const totalWeight = micro.reduce((a, b) => a + b.weights.reduce((x, y) => x + y, 0), 0);
    const grads = new Map<string, Float32Array>();
    let loss = 0;
    for (const b of micro) {
      const share = b.weights.reduce((x, y) => x + y, 0) / totalWeight;
      if (share === 0) continue;
      const r = model.lossAndGrads(b.rows, b.targets, b.weights, b.docIds);
      loss += r.loss * share;
      for (const [name, g] of r.grads) {
        const acc = grads.get(name);
        if (!acc) {
          for (let i = 0; i < g.data.length; i++) g.data[i] *= share;
          grads.set(name, g.data);
        } else for (let i = 0; i < acc.length; i++) acc[i] += g.data[i] * share;
      }
    }
    const gradNorm = clipGradNorm(grads.values(), s.train.grad_clip);
    const lr = learningRate({ lr: s.train.lr, minLr: s.train.min_lr, warmupSteps: s.train.warmup_steps, totalSteps: s.train.steps }, step);
    const params = new Map([...weights].map(([n, t]) => [n, t.data]));
    adam.step(params, grads, lr);
    model.params.upload(weights);
    tokensSeen += B * T * accum;
    const done = step + 1;
    const row: StepMetrics = {
      step: done,
      loss,
      lr,
      grad_norm: gradNorm,
      tokens: tokensSeen,
      tokens_per_s: (B * T * accum * 1000) / (performance.now() - t0),
    };
    if (done % s.eval.every === 0 || done === s.train.steps) row.val_loss = lastVal = evalValLoss();
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

  // 3. Exports: an HF folder (the interchange format) and GGUF files for llama.cpp.
  await curve();
  const hf = join(out, 'hf');
  await saveHfModel(hf, config, weights, { tokenizer: new Uint8Array(await readFile(await tokenizerFile(m.tokenizer))) });
  const gguf: string[] = [];
  for (const type of s.output.gguf) {
    const path = join(out, `model-${type}.gguf`);
    await convertHfToGguf(hf, path, { type });
    gguf.push(path);
  }
  return {
    steps: s.train.steps,
    finalLoss: lastLoss,
    valLoss: lastVal,
    outputs: { hf, gguf, metrics: metricsPath, curve: join(out, 'loss.svg') },
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
