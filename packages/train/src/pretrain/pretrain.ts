import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@puyu/core';
import { loadTokenizer, type TokenShard } from '@puyu/formats';
import { type InternLM2Config, type InternLM2Weights, initInternLM2, loadHfModel } from '@puyu/model';
import { CheckpointError } from '../checkpoint/Checkpoints.js';
import { ensureGenerated } from '../data/generatedData.js';
import { loadTrainingTokens, splitDocuments } from '../data/loadTrainingTokens.js';
import { PackedBatcher } from '../data/PackedBatcher.js';
import { resolvePrecision } from '../graph/precision.js';
import { fullParameter } from '../loop/fullParameter.js';
import { type LoopOptions, trainLoop } from '../loop/trainLoop.js';
import { howToMakeInit } from '../recipeChain.js';
import { writeToolCorpus } from '../sft/calculator/toolCorpus.js';
import { checkMemory, replicaParamCopies } from './estimateMemory.js';
import { runFingerprint } from './fingerprint.js';
import { freshModelConfig, type PretrainConfig } from './pretrainConfig.js';

export type { StepMetrics } from './metrics.js';

/** resume, stopAfter (tests), quiet: see LoopOptions. */
export type PretrainOptions = LoopOptions;

export interface PretrainResult {
  config: InternLM2Config;
  steps: number;
  finalLoss: number;
  valLoss?: number;
  unigramLoss: number;
  outputs: { hf: string; gguf: string[]; metrics: string; curve: string };
}

/**
 * Pretraining, top to bottom (the reference trainer):
 * tokenizer → model (fresh or from HF) → data (packed, held-out split) → the shared loop
 * (loop/trainLoop.ts: resume? → for each step: micro-batches → masked loss + grads (ggml)
 * → clip → AdamW (host) → eval / checkpoint / metrics → export HF + GGUF).
 */
export async function pretrain(given: PretrainConfig, opts: PretrainOptions = {}): Promise<PretrainResult> {
  if (given.init_from && !existsSync(join(given.init_from, 'config.json')))
    throw new ConfigError(
      'TRAIN_PRETRAIN_NO_INIT',
      `init_from ${given.init_from} is not an HF InternLM2 folder (no config.json). ${howToMakeInit(given.init_from)}`,
    );
  await mkdir(given.output.dir, { recursive: true });
  const tokenizer = loadTokenizer(given.tokenizer);
  const cfg = await withGeneratedCorpus(given, tokenizer, opts.quiet);

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
  const { batch_size: B, seq_len: T } = cfg.train;
  if (T > config.max_position_embeddings)
    throw new ConfigError('TRAIN_SEQ_TOO_LONG', `seq_len ${T} exceeds max_position_embeddings ${config.max_position_embeddings}.`);
  checkMemory(config, B, T, cfg.memory_limit_gb, 6 + replicaParamCopies(cfg.train.replicas, B));
  // what this run trains on, stored with every checkpoint and checked by --resume
  const fingerprint = await runFingerprint(cfg, config, weights);

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
  const evalBatcher = valData
    ? () => new PackedBatcher(valData, { batchSize: B, seqLen: T, seed: 0, docs: valDocs, shuffle: false })
    : undefined;
  // Built once now, so held-out data too short for one row is refused before step 1 (and named
  // as held-out data), not at the first evaluation after minutes of training.
  if (evalBatcher) checkHeldOut(evalBatcher, cfg.data.val ? 'data.val' : `the held-out split (val_fraction ${cfg.data.val_fraction})`, T);
  const unigramLoss = unigramCrossEntropy(trainData, trainDocs, valData ?? trainData, valDocs ?? trainDocs, config.vocab_size);

  // 3. The shared loop: steps, evaluation, checkpoints, resume, metrics, exports (loop/trainLoop.ts).
  const r = await trainLoop(
    cfg,
    {
      label: 'pretrain',
      title: 'Pretraining loss',
      ...fullParameter(config, weights, cfg.tokenizer, cfg.output.gguf, resolvePrecision(cfg.train.precision)),
      fingerprint,
      batcher,
      evalBatcher,
      checkBatcherState: (state, path) => {
        if (state.cursor > batcher.tokensPerEpoch)
          throw new CheckpointError(
            'CHECKPOINT_MISMATCH',
            `checkpoint ${path} is ${state.cursor} tokens into an epoch of ${batcher.tokensPerEpoch}: it was not trained on this data.`,
          );
      },
      baseline: { y: unigramLoss, label: `unigram baseline ${unigramLoss.toFixed(3)}` },
    },
    opts,
  );
  return { config, unigramLoss, ...r };
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

function checkHeldOut(make: () => PackedBatcher, what: string, seqLen: number): void {
  try {
    make();
  } catch (e) {
    if (!(e instanceof ConfigError && e.code === 'TRAIN_DATA_TOO_SMALL')) throw e;
    throw new ConfigError(
      'TRAIN_DATA_TOO_SMALL',
      `${what} holds fewer than seq_len + 1 = ${seqLen + 1} tokens, so there is no held-out row to evaluate. Give more held-out text (a text file is one document per blank-line-separated block, and val_fraction takes whole documents), or set data.val_fraction to 0.`,
      { cause: e },
    );
  }
}

/**
 * With `data.generate`, writes the corpus into output.dir (unless the same settings already wrote
 * it) and returns the config with that file added to `data.train`, so the run's fingerprint hashes
 * the very file it trains on.
 */
async function withGeneratedCorpus(
  cfg: PretrainConfig,
  tokenizer: ReturnType<typeof loadTokenizer>,
  quiet?: boolean,
): Promise<PretrainConfig> {
  const gen = cfg.data.generate;
  if (!gen) return cfg;
  const path = join(cfg.output.dir, `generated-${gen.kind}.jsonl`);
  const pieces = Array.from({ length: tokenizer.vocabSize }, (_, id) => tokenizer.idToPiece(id));
  const settings = { ...gen, vocab: tokenizer.vocabSize, tokenizer: cfg.tokenizer };
  await ensureGenerated(cfg.output.dir, settings, [path], async () => {
    const n = await writeToolCorpus(path, { ...gen, pieces });
    if (!quiet) process.stderr.write(`generated ${n} ${gen.kind} documents → ${path}\n`);
  });
  return { ...cfg, data: { ...cfg.data, train: [...cfg.data.train, path] } };
}
