import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, Progress } from '@puyu/core';
import { loadTokenizer, type TokenShard } from '@puyu/formats';
import { convertHfToGguf, type InternLM2Config, type InternLM2Weights, initInternLM2, loadHfModel, saveHfModel } from '@puyu/model';
import { CheckpointError, Checkpoints } from '../checkpoint/Checkpoints.js';
import { parseTrainerState, restoreTensors } from '../checkpoint/trainerState.js';
import { loadTrainingTokens, splitDocuments } from '../data/loadTrainingTokens.js';
import { PackedBatcher } from '../data/PackedBatcher.js';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { AdamW, decaysMatrices } from '../optim/AdamW.js';
import { clipGradNorm } from '../optim/clipGradNorm.js';
import { learningRate } from '../optim/lrSchedule.js';
import { lossCurveSvg } from '../report/lossCurveSvg.js';
import { checkMemory } from './estimateMemory.js';
import { checkResumable, runFingerprint, tokenizerFile } from './fingerprint.js';
import { readMetrics, type StepMetrics, writeMetrics } from './metrics.js';
import { freshModelConfig, type PretrainConfig } from './pretrainConfig.js';

export type { StepMetrics } from './metrics.js';

export interface PretrainOptions {
  /** Continue from the newest checkpoint in the output folder. */
  resume?: boolean;
  /** Stop (as if killed) after this many steps of this invocation; tests use it. */
  stopAfter?: number;
  /** Silence the progress bar. */
  quiet?: boolean;
}

export interface PretrainResult {
  config: InternLM2Config;
  steps: number;
  finalLoss: number;
  valLoss?: number;
  unigramLoss: number;
  outputs: { hf: string; gguf: string[]; metrics: string; curve: string };
}

/**
 * The pretraining loop, top to bottom (the reference trainer):
 * tokenizer → model (fresh or from HF) → data (packed, held-out split) → resume?
 * → for each step: micro-batches → masked loss + grads (ggml) → clip → AdamW (host)
 * → eval / checkpoint / metrics → export HF + GGUF.
 */
export async function pretrain(cfg: PretrainConfig, opts: PretrainOptions = {}): Promise<PretrainResult> {
  const out = cfg.output.dir;
  await mkdir(out, { recursive: true });
  const tokenizer = loadTokenizer(cfg.tokenizer);

  // 1. The model: a fresh InternLM2 sized by the tokenizer, or an HF checkpoint.
  let config: InternLM2Config;
  let weights: InternLM2Weights;
  if (cfg.init_from) {
    ({ config, weights } = await loadHfModel(cfg.init_from));
    if (config.vocab_size < tokenizer.vocabSize)
      throw new ConfigError(
        'TRAIN_VOCAB_MISMATCH',
        `${cfg.init_from} has vocab_size ${config.vocab_size} but the tokenizer has ${tokenizer.vocabSize} pieces.`,
      );
  } else {
    config = freshModelConfig(cfg.model!, tokenizer);
    weights = initInternLM2(config, { seed: cfg.train.seed, std: cfg.model!.init_std });
  }
  const { batch_size: B, seq_len: T, grad_accum: accum } = cfg.train;
  if (T > config.max_position_embeddings)
    throw new ConfigError('TRAIN_SEQ_TOO_LONG', `seq_len ${T} exceeds max_position_embeddings ${config.max_position_embeddings}.`);
  checkMemory(config, B, T, cfg.memory_limit_gb);
  // what this run trains on, stored with every checkpoint and checked by --resume
  const fingerprint = await runFingerprint(cfg, config, weights);
  const warn = (msg: string) => {
    if (!opts.quiet) process.stderr.write(`warning: ${msg}\n`);
  };

  // 2. Data: one packed stream for training, a fixed held-out set for evaluation.
  const trainData = await loadTrainingTokens(cfg.data.train, { tokenizer, vocabSize: config.vocab_size, textField: cfg.data.text_field });
  let trainDocs: number[] | undefined;
  let valData: TokenShard | undefined;
  let valDocs: number[] | undefined;
  if (cfg.data.val)
    valData = await loadTrainingTokens(cfg.data.val, { tokenizer, vocabSize: config.vocab_size, textField: cfg.data.text_field });
  else if (cfg.data.val_fraction > 0) {
    const split = splitDocuments(trainData.docStarts.length - 1, cfg.data.val_fraction);
    trainDocs = split.train;
    valData = trainData;
    valDocs = split.val;
  }
  const batcher = new PackedBatcher(trainData, { batchSize: B, seqLen: T, seed: cfg.train.seed, docs: trainDocs });
  const unigramLoss = unigramCrossEntropy(trainData, trainDocs, valData ?? trainData, valDocs ?? trainDocs, config.vocab_size);

  // 3. Optimizer, checkpoints, and where a resumed run picks up.
  const shapes = new Map([...weights].map(([n, t]) => [n, t.shape]));
  const adam = new AdamW(
    { beta1: cfg.train.beta1, beta2: cfg.train.beta2, eps: cfg.train.eps, weightDecay: cfg.train.weight_decay },
    decaysMatrices(shapes),
  );
  const checkpoints = new Checkpoints(join(out, 'checkpoints'), cfg.checkpoint.keep_last);
  const metricsPath = join(out, 'metrics.jsonl');
  const history: StepMetrics[] = [];
  let startStep = 0;
  let tokensSeen = 0;
  const latest = await checkpoints.latest();
  if (latest && !opts.resume) {
    throw new ConfigError(
      'TRAIN_OUTPUT_EXISTS',
      `${out} already has checkpoints (newest: step ${latest.step}); pass --resume to continue that run, or choose another output.dir.`,
    );
  }
  if (latest && opts.resume) {
    const ck = await checkpoints.load(latest.path);
    // every check runs before anything is restored: a refused resume changes nothing
    checkResumable(ck.fingerprint, fingerprint, latest.path, warn);
    const state = parseTrainerState(ck.extra, latest.path);
    if (state.batcher.cursor > batcher.tokensPerEpoch)
      throw new CheckpointError(
        'CHECKPOINT_MISMATCH',
        `checkpoint ${latest.path} is ${state.batcher.cursor} tokens into an epoch of ${batcher.tokensPerEpoch}: it was not trained on this data.`,
      );
    const { m, v } = restoreTensors(ck, weights, latest.path);
    for (const [n, x] of m) adam.m.set(n, x);
    for (const [n, x] of v) adam.v.set(n, x);
    adam.t = state.adamT;
    batcher.restore(state.batcher);
    startStep = ck.step;
    tokensSeen = state.tokensSeen;
    const read = await readMetrics(metricsPath);
    if (read.skipped.length)
      warn(`${metricsPath}: skipped unreadable line(s) ${read.skipped.join(', ')} (a write cut short by a kill); the rest is kept.`);
    // metrics written after that checkpoint belong to the lost part of the run
    history.push(...read.metrics.filter((m) => m.step <= startStep));
    await writeMetrics(metricsPath, history);
  } else await writeMetrics(metricsPath, []);

  using model = new GgmlInternLM2(config, weights, { threads: cfg.train.threads, trainable: true });
  const evalValLoss = () => {
    if (!valData) return undefined;
    const vb = new PackedBatcher(valData, { batchSize: B, seqLen: T, seed: 0, docs: valDocs, shuffle: false });
    let sum = 0;
    for (let i = 0; i < cfg.eval.batches; i++) {
      const b = vb.next();
      sum += model.loss(b.rows, b.targets, b.weights, b.docIds);
    }
    return sum / cfg.eval.batches;
  };

  // 4. The loop.
  const progress = new Progress({ total: cfg.train.steps, label: 'pretrain', unit: 'step', silent: opts.quiet });
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
  let ran = 0;
  // a resumed run that had already finished reports what it ended with
  let lastLoss = history.at(-1)?.loss ?? Number.NaN;
  let lastVal = history.findLast((m) => m.val_loss !== undefined)?.val_loss;
  for (let step = startStep; step < cfg.train.steps; step++) {
    const t0 = performance.now();
    const micro = Array.from({ length: accum }, () => batcher.next());
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
    const gradNorm = clipGradNorm(grads.values(), cfg.train.grad_clip);
    const lr = learningRate(
      { lr: cfg.train.lr, minLr: cfg.train.min_lr, warmupSteps: cfg.train.warmup_steps, totalSteps: cfg.train.steps },
      step,
    );
    const params = new Map([...weights].map(([n, t]) => [n, t.data]));
    adam.step(params, grads, lr);
    model.params.upload(weights);
    tokensSeen += B * T * accum;
    const done = step + 1;
    const m: StepMetrics = {
      step: done,
      loss,
      lr,
      grad_norm: gradNorm,
      tokens: tokensSeen,
      tokens_per_s: (B * T * accum * 1000) / (performance.now() - t0),
    };
    if (done % cfg.eval.every === 0 || done === cfg.train.steps) m.val_loss = lastVal = evalValLoss();
    lastLoss = loss;
    history.push(m);
    await appendFile(metricsPath, `${JSON.stringify(m)}\n`);
    progress.update(
      done,
      `loss ${loss.toFixed(4)}${m.val_loss !== undefined ? ` val ${m.val_loss.toFixed(4)}` : ''} | lr ${lr.toExponential(2)} | ${Math.round(m.tokens_per_s)} tok/s`,
    );
    if (done % cfg.checkpoint.every === 0 || done === cfg.train.steps) {
      await save(done);
      await writeCurve(out, history, unigramLoss);
    }
    ran++;
    if (opts.stopAfter !== undefined && ran >= opts.stopAfter && done < cfg.train.steps) {
      progress.finish('stopped early');
      throw new ConfigError('TRAIN_STOPPED', `stopped after ${ran} steps as asked (resume with --resume).`);
    }
  }
  progress.finish();

  // 5. Exports: an HF folder (the interchange format) and GGUF files for llama.cpp.
  await writeCurve(out, history, unigramLoss);
  const hf = join(out, 'hf');
  await saveHfModel(hf, config, weights, { tokenizer: await tokenizerBytes(cfg.tokenizer) });
  const gguf: string[] = [];
  for (const type of cfg.output.gguf) {
    const path = join(out, `model-${type}.gguf`);
    await convertHfToGguf(hf, path, { type });
    gguf.push(path);
  }
  return {
    config,
    steps: cfg.train.steps,
    finalLoss: lastLoss,
    valLoss: lastVal,
    unigramLoss,
    outputs: { hf, gguf, metrics: metricsPath, curve: join(out, 'loss.svg') },
  };
}

async function tokenizerBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(await tokenizerFile(path)));
}

async function writeCurve(dir: string, history: readonly StepMetrics[], unigram: number): Promise<void> {
  const svg = lossCurveSvg(
    [
      { label: 'train loss', color: '#1f77b4', points: history.map((m) => ({ x: m.step, y: m.loss })) },
      {
        label: 'held-out loss',
        color: '#d62728',
        points: history.filter((m) => m.val_loss !== undefined).map((m) => ({ x: m.step, y: m.val_loss as number })),
      },
    ],
    {
      title: 'Pretraining loss',
      xLabel: 'step',
      yLabel: 'cross-entropy (nats/token)',
      baseline: { y: unigram, label: `unigram baseline ${unigram.toFixed(3)}` },
    },
  );
  await writeFile(join(dir, 'loss.svg'), svg);
}

/**
 * Cross-entropy of the held-out tokens under the training set's unigram
 * distribution (add-one smoothed): the bar a model must clear to have learned
 * anything beyond token frequencies.
 */
export function unigramCrossEntropy(
  train: TokenShard,
  trainDocs: readonly number[] | undefined,
  val: TokenShard,
  valDocs: readonly number[] | undefined,
  vocab: number,
): number {
  const counts = new Float64Array(vocab).fill(1);
  let total = vocab;
  const each = (s: TokenShard, docs: readonly number[] | undefined, fn: (id: number) => void) => {
    const list = docs ?? Array.from({ length: s.docStarts.length - 1 }, (_, i) => i);
    for (const d of list) for (let i = s.docStarts[d] + 1; i < s.docStarts[d + 1]; i++) fn(s.tokens[i]);
  };
  each(train, trainDocs, (id) => {
    counts[id]++;
    total++;
  });
  let nll = 0;
  let n = 0;
  each(val, valDocs, (id) => {
    nll -= Math.log(counts[id] / total);
    n++;
  });
  return n ? nll / n : Number.NaN;
}
