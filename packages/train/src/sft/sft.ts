import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@puyu/core';
import { loadTokenizer } from '@puyu/formats';
import { type InternLM2Config, type InternLM2Weights, loadHfModel } from '@puyu/model';
import { CheckpointError } from '../checkpoint/Checkpoints.js';
import { ensureGenerated } from '../data/generatedData.js';
import { splitDocuments } from '../data/loadTrainingTokens.js';
import { writeSkippedReport } from '../data/skippedReport.js';
import { resolvePrecision } from '../graph/precision.js';
import { fullParameter } from '../loop/fullParameter.js';
import { type LoopMethod, type LoopOptions, type LoopResult, refuseOverwrite, trainLoop } from '../loop/trainLoop.js';
import { checkMemory, replicaParamCopies } from '../pretrain/estimateMemory.js';
import { digestFile, digestWeights, makeFingerprint, optimizerSettings, tokenizerFile } from '../pretrain/fingerprint.js';
import { howToMakeInit } from '../recipeChain.js';
import { writeCalculatorData } from './calculator/generate.js';
import { readSftJsonl } from './data/readSftJsonl.js';
import { SftBatcher } from './data/SftBatcher.js';
import type { SftSkippedLine } from './data/SftDataError.js';
import { type SftExample, tokenizeSftDialogues } from './data/tokenizeSftDialogue.js';
import type { SftConfig } from './sftConfig.js';

/** A skipped line and the file it is in (skipped.jsonl holds one per line). */
export interface SftSkippedReport extends SftSkippedLine {
  file: string;
}

export interface SftResult extends LoopResult {
  config: InternLM2Config;
  examples: { train: number; val: number; truncated: number };
  skipped: number;
  outputs: LoopResult['outputs'] & { skipped: string };
}

/**
 * Full-parameter SFT, top to bottom: tokenizer + model (the init_from HF folder) → data
 * (generated if asked; JSONL dialogues → InternLM2 chat tokens with an assistant-only loss
 * mask; every skipped line reported) → the shared loop (loop/trainLoop.ts), whose masked
 * loss gives tokens outside assistant turns weight 0 and so no gradient.
 */
export async function sft(cfg: SftConfig, opts: LoopOptions = {}): Promise<SftResult> {
  const run = await prepareSft(cfg, opts, { method: 'sft' });
  const { config, weights } = run;
  const r = await trainLoop(
    cfg,
    {
      label: 'sft',
      title: 'SFT loss (assistant tokens)',
      // Dialogues are rendered without InternLM2's default system prompt (XTuner's template,
      // sftRenderOptions); the export says so, so `puyu serve` renders prompts the same way.
      ...fullParameter(config, weights, run.tokenizer, cfg.output.gguf, resolvePrecision(cfg.train.precision), false),
      ...run.loop,
    },
    opts,
  );
  return { ...r, config, examples: run.examples, skipped: run.skipped, outputs: { ...r.outputs, skipped: run.skippedPath } };
}

/** What SFT and LoRA share before the loop: the model, its tokenizer, the batches and the fingerprint. */
export interface SftRun {
  config: InternLM2Config;
  weights: InternLM2Weights;
  /** The tokenizer path (a `.model` or an HF folder). */
  tokenizer: string;
  loop: Pick<LoopMethod, 'fingerprint' | 'batcher' | 'evalBatcher' | 'checkBatcherState'>;
  examples: SftResult['examples'];
  skipped: number;
  skippedPath: string;
}

/**
 * Loads the init_from model and the SFT data (generated if asked, read, tokenized, masked, every
 * skipped line reported) and fingerprints the run; `settings` (the method and its own options)
 * join the fingerprint's data part, so a resume with other ones is refused.
 */
export async function prepareSft(
  cfg: SftConfig,
  opts: LoopOptions,
  settings: Record<string, unknown>,
  /** How many copies of the weights the method keeps (checkMemory): 6 for full training, 2 for a frozen base. */
  paramCopies = 6,
): Promise<SftRun> {
  const out = cfg.output.dir;
  await mkdir(out, { recursive: true });
  const log = (msg: string) => {
    if (!opts.quiet) process.stderr.write(`${msg}\n`);
  };

  // 1. The model to fine-tune, and its tokenizer (the folder's own unless the config names one).
  if (!existsSync(join(cfg.init_from, 'config.json')))
    throw new ConfigError(
      'TRAIN_SFT_NO_INIT',
      `init_from ${cfg.init_from} is not an HF InternLM2 folder (no config.json). ${howToMakeInit(cfg.init_from)}`,
    );
  const tokenizerPath = cfg.tokenizer ?? cfg.init_from;
  const tokenizer = loadTokenizer(tokenizerPath);
  const { config, weights } = await loadHfModel(cfg.init_from);
  if (config.vocab_size < tokenizer.vocabSize)
    throw new ConfigError(
      'TRAIN_VOCAB_MISMATCH',
      `${cfg.init_from} has vocab_size ${config.vocab_size} but the tokenizer has ${tokenizer.vocabSize} pieces.`,
    );
  const { batch_size: B, seq_len: T } = cfg.train;
  if (T > config.max_position_embeddings)
    throw new ConfigError('TRAIN_SEQ_TOO_LONG', `seq_len ${T} exceeds max_position_embeddings ${config.max_position_embeddings}.`);
  checkMemory(config, B, T, cfg.memory_limit_gb, paramCopies + replicaParamCopies(cfg.train.replicas, B));

  // 2. Data: generated first when asked, then read, tokenized and masked; nothing dropped silently.
  let trainFiles = cfg.data.train ?? [];
  let valFiles = cfg.data.val ?? [];
  const gen = cfg.data.generate;
  // before anything is written: a run refused for finding another's checkpoints changes nothing
  await refuseOverwrite(out, opts.resume);
  if (gen) {
    trainFiles = [join(out, 'train.jsonl')];
    valFiles = gen.heldout > 0 ? [join(out, 'heldout.jsonl')] : [];
    // Generated once and stamped with its settings (ensureGenerated): a resumed run must find the
    // very files its fingerprint hashed, and changed settings regenerate them.
    await ensureGenerated(out, gen, [...trainFiles, ...valFiles], async () => {
      const stats = await writeCalculatorData(out, {
        train: gen.train,
        heldout: gen.heldout,
        seed: gen.seed,
        trainMultiTurnShare: gen.train_multi_turn_share,
      });
      log(`generated calculator data: ${stats.train.dialogues} train, ${stats.heldout.dialogues} held-out dialogues → ${out}`);
    });
  }
  const skipped: SftSkippedReport[] = [];
  const readAll = async (files: readonly string[]) => {
    const examples: SftExample[] = [];
    for (const file of files) {
      const read = await readSftJsonl(file, { format: cfg.data.format });
      const tok = tokenizeSftDialogues(read.dialogues, tokenizer, { maxTokens: T + 1, overflow: cfg.data.overflow });
      for (const s of [...read.skipped, ...tok.skipped].sort((a, b) => a.line - b.line)) skipped.push({ file, ...s });
      examples.push(...tok.examples);
    }
    return examples;
  };
  let trainExamples = await readAll(trainFiles);
  let valExamples = await readAll(valFiles);
  if (!valFiles.length && cfg.data.val_fraction > 0) {
    const split = splitDocuments(trainExamples.length, cfg.data.val_fraction);
    valExamples = split.val.map((i) => trainExamples[i]);
    trainExamples = split.train.map((i) => trainExamples[i]);
  }
  const skippedPath = await writeSkippedReport(out, skipped, 'SFT', log);
  const truncated = [...trainExamples, ...valExamples].filter((e) => e.truncated).length;
  log(
    `SFT data: ${trainExamples.length} train, ${valExamples.length} held-out dialogues` +
      `${truncated ? `, ${truncated} cut to seq_len + 1 = ${T + 1} tokens` : ''}, ${skipped.length} line(s) skipped`,
  );
  const batcherOpts = { batchSize: B, seqLen: T, padId: config.pad_token_id ?? tokenizer.eosId };
  const batcher = new SftBatcher(trainExamples, { ...batcherOpts, seed: cfg.train.seed });

  // 3. What this run trains on (checked by --resume), then the shared loop.
  const fingerprint = makeFingerprint(
    { ...config, init: { weights_sha256: digestWeights(weights) } },
    optimizerSettings(cfg.train),
    {
      ...settings,
      'train.seq_len': T,
      'train.seed': cfg.train.seed,
      'data.val_fraction': valFiles.length ? undefined : cfg.data.val_fraction,
      'data.format': cfg.data.format,
      'data.overflow': cfg.data.overflow,
      'data.generate': gen,
    },
    [
      ...(await Promise.all(trainFiles.map((p) => digestFile(p, 'train')))),
      ...(await Promise.all(valFiles.map((p) => digestFile(p, 'val')))),
      await digestFile(await tokenizerFile(tokenizerPath), 'tokenizer'),
    ],
  );
  return {
    config,
    weights,
    tokenizer: tokenizerPath,
    loop: {
      fingerprint,
      batcher,
      evalBatcher: valExamples.length ? () => new SftBatcher(valExamples, { ...batcherOpts, seed: 0, shuffle: false }) : undefined,
      checkBatcherState: (state, path) => {
        if (state.cursor > trainExamples.length)
          throw new CheckpointError(
            'CHECKPOINT_MISMATCH',
            `checkpoint ${path} is ${state.cursor} dialogues into an epoch of ${trainExamples.length}: it was not trained on this data.`,
          );
      },
    },
    examples: { train: trainExamples.length, val: valExamples.length, truncated },
    skipped: skipped.length,
    skippedPath,
  };
}
