import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTokenizer } from '@puyu/formats';
import { type InternLM2Config, loadHfModel } from '@puyu/model';
import { CheckpointError } from '../checkpoint/Checkpoints.js';
import { ensureGenerated } from '../data/generatedData.js';
import { splitDocuments } from '../data/loadTrainingTokens.js';
import { writeSkippedReport } from '../data/skippedReport.js';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { type FullExport, fullParameter } from '../loop/fullParameter.js';
import { type LoopOptions, type LoopResult, refuseOverwrite, trainLoop } from '../loop/trainLoop.js';
import { checkMemory } from '../pretrain/estimateMemory.js';
import { digestFile, digestWeights, makeFingerprint, optimizerSettings, tokenizerFile } from '../pretrain/fingerprint.js';
import { readMetrics } from '../pretrain/metrics.js';
import { howToMakeInit } from '../recipeChain.js';
import { lossCurveSvg } from '../report/lossCurveSvg.js';
import { writeCalculatorPairs } from './calculatorPairs.js';
import { DpoModel } from './DpoModel.js';
import { type DpoBatch, DpoBatcher } from './data/DpoBatcher.js';
import { DpoDataError, type DpoSkippedLine } from './data/DpoDataError.js';
import { readDpoJsonl } from './data/readDpoJsonl.js';
import { type DpoExample, tokenizeDpoPairs } from './data/tokenizeDpoPair.js';
import type { DpoConfig } from './dpoConfig.js';
import { dpoPairMetrics } from './dpoMetrics.js';
import { type HeldOutRewards, heldOutRewards } from './heldOutRewards.js';
import { referenceLogps } from './referenceLogps.js';

export interface DpoSkippedReport extends DpoSkippedLine {
  file: string;
}

export interface DpoResult extends LoopResult<FullExport> {
  config: InternLM2Config;
  pairs: { train: number; val: number };
  skipped: number;
  /** The trained policy's reward accuracy and margin on every held-out pair (per kind for generated pairs). */
  heldOut?: HeldOutRewards;
  outputs: LoopResult<FullExport>['outputs'] & { skipped: string; references: string; rewards: string; heldOutRewards?: string };
}

/**
 * Sigmoid DPO (Rafailov et al.), top to bottom: policy = the init_from HF folder → preference
 * pairs (generated if asked; JSONL → InternLM2 chat tokens, reply tokens masked in; every skipped
 * line reported) → the frozen reference's reply log-probs, computed once and cached → the shared
 * loop (loop/trainLoop.ts) with the DPO graph (DpoGraph.ts) as the model, logging reward accuracy
 * and margin on the training batches and the held-out pairs → HF + GGUF of the policy.
 */
export async function dpo(cfg: DpoConfig, opts: LoopOptions = {}): Promise<DpoResult> {
  const out = cfg.output.dir;
  await mkdir(out, { recursive: true });
  const log = (msg: string) => {
    if (!opts.quiet) process.stderr.write(`${msg}\n`);
  };

  // 1. The policy to train (its initial weights are also the frozen reference) and its tokenizer.
  if (!existsSync(join(cfg.init_from, 'config.json')))
    throw new DpoDataError(
      'TRAIN_DPO_NO_INIT',
      `init_from ${cfg.init_from} is not an HF InternLM2 folder (no config.json). ${howToMakeInit(cfg.init_from)}`,
    );
  const tokenizerPath = cfg.tokenizer ?? cfg.init_from;
  const tokenizer = loadTokenizer(tokenizerPath);
  const { config, weights } = await loadHfModel(cfg.init_from);
  const T = cfg.train.seq_len;
  if (config.vocab_size < tokenizer.vocabSize)
    throw new DpoDataError(
      'TRAIN_DPO_BAD_OPTIONS',
      `${cfg.init_from} has vocab_size ${config.vocab_size} but the tokenizer has ${tokenizer.vocabSize} pieces.`,
    );
  if (T > config.max_position_embeddings)
    throw new DpoDataError('TRAIN_DPO_BAD_OPTIONS', `seq_len ${T} exceeds max_position_embeddings ${config.max_position_embeddings}.`);
  checkMemory(config, 2 * cfg.train.batch_size, T, cfg.memory_limit_gb);

  // 2. Pairs: generated first when asked, then read and tokenized; nothing dropped silently.
  await refuseOverwrite(out, opts.resume);
  let trainFiles = cfg.data.train ?? [];
  let valFiles = cfg.data.val ?? [];
  const gen = cfg.data.generate;
  if (gen) {
    trainFiles = [join(out, 'train.jsonl')];
    valFiles = gen.heldout > 0 ? [join(out, 'heldout.jsonl')] : [];
    // stamped with its settings, as SFT does: a resume finds the very files its fingerprint hashed
    await ensureGenerated(out, gen, [...trainFiles, ...valFiles], async () => {
      const r = await writeCalculatorPairs(out, { train: gen.train, heldout: gen.heldout, seed: gen.seed });
      log(
        `generated calculator preference pairs → ${out}: train ${JSON.stringify(r.kinds.train)}, held-out ${JSON.stringify(r.kinds.heldout)}`,
      );
    });
  }
  const skipped: DpoSkippedReport[] = [];
  const readAll = async (files: readonly string[]) => {
    const examples: (DpoExample & { file: string })[] = [];
    for (const file of files) {
      const read = await readDpoJsonl(file);
      const tok = tokenizeDpoPairs(read.pairs, tokenizer, T + 1);
      for (const s of [...read.skipped, ...tok.skipped].sort((a, b) => a.line - b.line)) skipped.push({ file, ...s });
      examples.push(...tok.examples.map((e) => ({ ...e, file })));
    }
    return examples;
  };
  let train = await readAll(trainFiles);
  let val = await readAll(valFiles);
  if (!valFiles.length && cfg.data.val_fraction > 0) {
    const split = splitDocuments(train.length, cfg.data.val_fraction);
    val = split.val.map((i) => train[i]);
    train = split.train.map((i) => train[i]);
  }
  const skippedPath = await writeSkippedReport(out, skipped, 'preference', log);
  if (!train.length) throw new DpoDataError('TRAIN_DPO_NO_PAIRS', `no preference pair left to train on; see ${skippedPath}.`);
  log(`DPO data: ${train.length} train, ${val.length} held-out pairs, ${skipped.length} line(s) skipped`);

  // 3. What this run trains on (checked by --resume); β is part of the loss, so of the optimizer part.
  const fingerprint = makeFingerprint(
    { ...config, init: { weights_sha256: digestWeights(weights) } },
    { ...optimizerSettings(cfg.train), 'dpo.beta': cfg.dpo.beta, 'dpo.rpo_alpha': cfg.dpo.rpo_alpha || undefined },
    {
      method: 'dpo',
      'train.seq_len': T,
      'train.seed': cfg.train.seed,
      'data.val_fraction': valFiles.length ? undefined : cfg.data.val_fraction,
      'data.generate': gen,
    },
    [
      ...(await Promise.all(trainFiles.map((p) => digestFile(p, 'train')))),
      ...(await Promise.all(valFiles.map((p) => digestFile(p, 'val')))),
      await digestFile(await tokenizerFile(tokenizerPath), 'tokenizer'),
    ],
  );

  // 4. The reference model's reply log-probs: once, from the initial weights, cached by model + data.
  const batchOpts = { pairs: cfg.train.batch_size, seqLen: T, padId: config.pad_token_id ?? tokenizer.eosId };
  const referencesPath = join(out, 'reference-logps.json');
  const refs = await referenceLogps(
    referencesPath,
    `${fingerprint.model.sha256}:${fingerprint.data.sha256}`,
    { config, weights, threads: cfg.train.threads, batch: batchOpts },
    { train, val },
    log,
    opts.quiet,
  );

  // 5. The shared loop: the policy's every tensor trains; the model is the DPO graph.
  const beta = cfg.dpo.beta;
  // Pairs are rendered like SFT dialogues, without the default system prompt (see sft.ts).
  const full = fullParameter(config, weights, tokenizerPath, cfg.output.gguf, 'fp32', false);
  const r = await trainLoop<DpoBatch, FullExport>(
    cfg,
    {
      label: 'dpo',
      title: `DPO loss (sigmoid, β = ${beta})`,
      trained: weights,
      batchWeight: (b) => b.pairs,
      model: (threads) => {
        const g = new GgmlInternLM2(config, weights, { threads, trainable: true });
        const d = new DpoModel(g, beta, cfg.dpo.rpo_alpha);
        const refDiff = (b: DpoBatch) => Array.from({ length: b.pairs }, (_, p) => b.ref[2 * p] - b.ref[2 * p + 1]);
        const evaluate = (b: DpoBatch) => {
          const x = d.run(b, refDiff(b), false);
          return { loss: x.loss, metrics: dpoPairMetrics(x.seqLogp, b, beta) };
        };
        return {
          lossAndGrads: (b) => {
            const x = d.run(b, refDiff(b), true);
            return { loss: x.loss, grads: x.grads as NonNullable<typeof x.grads>, metrics: dpoPairMetrics(x.seqLogp, b, beta) };
          },
          loss: (b) => evaluate(b).loss,
          evaluate,
          upload: () => g.params.upload(weights),
          [Symbol.dispose]: () => {
            d.free();
            g.free();
          },
        };
      },
      export: full.export,
      fingerprint,
      batcher: new DpoBatcher(train, { ...batchOpts, seed: cfg.train.seed, refs: refs.train }),
      evalBatcher: val.length ? () => new DpoBatcher(val, { ...batchOpts, seed: 0, shuffle: false, refs: refs.val }) : undefined,
      checkBatcherState: (state, path) => {
        if (state.cursor > train.length)
          throw new CheckpointError(
            'CHECKPOINT_MISMATCH',
            `checkpoint ${path} is ${state.cursor} pairs into an epoch of ${train.length}: it was not trained on this data.`,
          );
      },
      // a policy equal to its reference has every implicit reward 0, so loss log 2
      baseline: { y: Math.LN2, label: 'log 2 (policy = reference)' },
    },
    opts,
  );
  const rewards = join(out, 'rewards.svg');
  const history = (await readMetrics(r.outputs.metrics)).metrics;
  await writeFile(
    rewards,
    lossCurveSvg(
      [
        {
          label: 'train reward accuracy',
          color: '#1f77b4',
          points: history.map((x) => ({ x: x.step, y: x.reward_accuracy ?? Number.NaN })),
        },
        {
          label: 'held-out reward accuracy',
          color: '#d62728',
          points: history
            .filter((x) => x.val_reward_accuracy !== undefined)
            .map((x) => ({ x: x.step, y: x.val_reward_accuracy as number })),
        },
      ],
      {
        title: 'DPO reward accuracy (chosen preferred by the implicit reward)',
        xLabel: 'step',
        yLabel: 'accuracy',
        baseline: { y: 0.5, label: 'chance' },
      },
    ),
  );
  // every held-out pair scored by the trained policy, pair by pair (and kind by kind for generated data)
  let heldOut: HeldOutRewards | undefined;
  const heldOutPath = join(out, 'heldout-rewards.jsonl');
  if (val.length) {
    heldOut = await heldOutRewards(heldOutPath, { config, weights, threads: cfg.train.threads, beta, batch: batchOpts }, val, refs.val);
    const kinds = Object.entries(heldOut.byKind ?? {}).map(([k, v]) => `${k} ${v.reward_accuracy.toFixed(3)} (${v.pairs})`);
    log(
      `held-out reward accuracy ${heldOut.reward_accuracy.toFixed(3)}, margin ${heldOut.reward_margin.toFixed(4)} over ${heldOut.pairs} pairs` +
        `${kinds.length ? `; by kind: ${kinds.join(', ')}` : ''} → ${heldOutPath}`,
    );
  }
  return {
    ...r,
    config,
    pairs: { train: train.length, val: val.length },
    skipped: skipped.length,
    heldOut,
    outputs: {
      ...r.outputs,
      skipped: skippedPath,
      references: referencesPath,
      rewards,
      ...(heldOut ? { heldOutRewards: heldOutPath } : {}),
    },
  };
}
