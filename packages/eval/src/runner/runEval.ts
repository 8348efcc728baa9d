import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LocalModelStarter } from '@puyu/client';
import { ConfigError, Progress, type ProgressOptions } from '@puyu/core';
import { getDataset } from '../datasets/registry.js';
import type { InferContext } from '../inferencers/callCached.js';
import { GenInferencer } from '../inferencers/GenInferencer.js';
import type { Inferencer, InferredPrediction } from '../inferencers/Inferencer.js';
import { majorityVote } from '../inferencers/majorityVote.js';
import { PplInferencer } from '../inferencers/PplInferencer.js';
import { SelfConsistencyInferencer } from '../inferencers/SelfConsistencyInferencer.js';
import { selectShots as defaultSelectShots } from '../prompts/retrievers.js';
import { summarizeSubsets } from '../report/groupScores.js';
import { writeReport } from '../report/writeReport.js';
import type { RunSummary, TaskRecord, UnitResult } from '../runSummary.js';
import type { DatasetDef, EvalResult, EvalSample, FewShotConfig, ModelStyle } from '../types.js';
import { recordEvalLineage } from './evalLineage.js';
import { writeOpenCompassPredictions } from './openCompassLayout.js';
import { partitionTasks, safeName } from './partition.js';
import type { DatasetConfig, RunConfig } from './RunConfig.js';
import { type ResolvedModel, resolveModels } from './resolveModels.js';
import { SampleCache } from './SampleCache.js';

/** Picks in-context exemplars for one sample (the prompts module's retrievers). */
export type ShotSelector = (args: {
  def: DatasetDef;
  pool: readonly EvalSample[];
  sample: EvalSample;
  fewShot: FewShotConfig;
}) => EvalSample[];

export interface RunOptions {
  /** Dataset lookup (default: the built-in registry). */
  resolveDataset?(name: string): DatasetDef;
  /** Few-shot retrieval (default: the prompts module's zero/fixed/random/bm25 retrievers). */
  selectShots?: ShotSelector;
  signal?: AbortSignal;
  /** Starts local: models (default: @puyu/client's, which imports @puyu/serve when a local: model is named). */
  startLocal?: LocalModelStarter;
  progress?: Omit<ProgressOptions, 'total'>;
  /**
   * For the run folder's lineage manifest: files the config does not name (the model behind a URL
   * a caller served, a haystack) and the command that reproduces the run.
   */
  lineage?: { parents?: string[]; command?: string };
}

interface LoadedDataset {
  /** Dataset name, suffixed with the inferencer when it is not plain generation (`mmlu:ppl`). */
  name: string;
  def: DatasetDef;
  cfg: Exclude<DatasetConfig, string>;
  samples: EvalSample[];
  /** The full split, unlimited: OpenCompass-layout keys are positions in it (only loaded for that layout). */
  all?: EvalSample[];
  pool: EvalSample[];
  fewShot: FewShotConfig;
  inferencer: Inferencer;
}

/**
 * The prompts module's retrievers, with the `fixed` retriever computed once per pool and
 * subset instead of once per sample: it scans the whole exemplar pool (7,473 GSM8K train
 * items) for every sample, which was most of the harness's CPU time per request. The
 * first k+1 exemplars of the subset, minus the sample itself, are exactly what it returns.
 */
export function fixedShotsOnce(): ShotSelector {
  const heads = new WeakMap<readonly EvalSample[], Map<string, EvalSample[]>>();
  return ({ pool, sample, fewShot }) => {
    if (fewShot.retriever !== 'fixed') return defaultSelectShots(sample, pool, fewShot);
    let bySubset = heads.get(pool);
    if (!bySubset) {
      bySubset = new Map();
      heads.set(pool, bySubset);
    }
    const key = sample.subset ?? '\u0000';
    let head = bySubset.get(key);
    if (!head) {
      head = defaultSelectShots({ ...sample, id: '\u0000no-sample' }, pool, { ...fewShot, k: fewShot.k + 1 });
      bySubset.set(key, head);
    }
    return head.filter((p) => p.id !== sample.id).slice(0, fewShot.k);
  };
}

function inferencerFor(def: DatasetDef, cfg: Exclude<DatasetConfig, string>): Inferencer {
  const kind = cfg.inferencer ?? 'gen';
  if (kind === 'ppl') {
    if (def.kind !== 'mcq') throw new ConfigError('EVAL_BAD_INFERENCER', `${def.name}: ppl inference needs a multiple-choice dataset.`);
    return new PplInferencer();
  }
  if (kind === 'sc') return new SelfConsistencyInferencer({ n: cfg.n ?? 5, temperature: cfg.temperature, maxTokens: cfg.maxTokens });
  return new GenInferencer({ maxTokens: cfg.maxTokens, temperature: cfg.temperature });
}

async function loadDatasets(config: RunConfig, opts: RunOptions): Promise<LoadedDataset[]> {
  const out: LoadedDataset[] = [];
  for (const entry of config.datasets) {
    const cfg = typeof entry === 'string' ? { name: entry } : entry;
    const def = (opts.resolveDataset ?? getDataset)(cfg.name);
    const load = {
      root: config.dataRoot,
      subsets: cfg.subsets,
      split: cfg.split,
      limit: cfg.limit ?? config.limit,
      seed: config.limitSeed,
    };
    const fewShot = cfg.fewShot ?? def.fewShot;
    const wantsShots = fewShot.retriever !== 'zero' && fewShot.k > 0;
    // Test split and exemplar pool are read together: loading is time no request is in flight.
    const [samples, pool, all] = await Promise.all([
      def.load(load),
      wantsShots && def.loadFewShotPool ? def.loadFewShotPool({ ...load, limit: undefined }) : Promise.resolve([]),
      config.opencompassLayout && load.limit !== undefined ? def.load({ ...load, limit: undefined }) : Promise.resolve(undefined),
    ]);
    const inferencer = inferencerFor(def, cfg);
    // `mmlu` and `mmlu:ppl` are different benchmarks (OpenCompass's mmlu_gen / mmlu_ppl): keep both apart in files and tables.
    const name = inferencer.name === 'gen' ? def.name : `${def.name}:${inferencer.name}`;
    if (out.some((d) => d.name === name))
      throw new ConfigError('EVAL_DUPLICATE_DATASET', `${name} is listed twice; give each entry a different inferencer.`);
    // OpenCompass names files by dataset abbr alone, so mmlu and mmlu:ppl would write the same files.
    const twin = out.find((d) => d.def.name === def.name);
    if (config.opencompassLayout && twin)
      throw new ConfigError(
        'EVAL_LAYOUT_CONFLICT',
        `${twin.name} and ${name} would write the same OpenCompass prediction files; run them into separate --out folders, or drop --opencompass-layout.`,
      );
    out.push({ name, def, cfg, samples, all: all ?? (config.opencompassLayout ? samples : undefined), pool, fewShot, inferencer });
  }
  return out;
}

/**
 * Runs every model on every dataset: partition into shards, infer with a global
 * concurrency limit (each endpoint adds its own), cache every answer as it arrives,
 * then score, write predictions/results and the summary + HTML report. Aborting (the
 * signal) stops dispatch, lets in-flight requests fail as data, keeps the cache and
 * returns `status: 'aborted'`; running the same config again resumes from the cache.
 */
export async function runEval(config: RunConfig, opts: RunOptions): Promise<RunSummary> {
  const t0 = performance.now();
  const outDir = resolve(config.outDir);
  mkdirSync(outDir, { recursive: true });
  const datasets = await loadDatasets(config, opts);
  const models = await resolveModels(config, opts.startLocal);
  const phases = { loadMs: performance.now() - t0, inferMs: 0, scoreMs: 0, writeMs: 0 };
  const cache = new SampleCache(config.cache ? resolve(config.cache) : join(outDir, 'cache.jsonl'));
  try {
    const tasks = partitionTasks(
      models.map((m) => m.label),
      datasets,
      config.shardSize,
    );
    const select: ShotSelector = opts.selectShots ?? fixedShotsOnce();
    const shotsFor = (ds: LoadedDataset, sample: EvalSample): EvalSample[] =>
      ds.pool.length ? select({ def: ds.def, pool: ds.pool, sample, fewShot: ds.fewShot }) : [];
    const items = tasks.flatMap((task, t) => task.samples.map((sample) => ({ t, sample })));
    const style = (m: ResolvedModel, ds: LoadedDataset) => (ds.inferencer.name === 'ppl' ? 'base' : m.style);
    const total = items.reduce((n, it) => {
      const task = tasks[it.t];
      const ds = datasets[task.dataset];
      return (
        n +
        ds.inferencer.requestsPerSample({ sample: it.sample, shots: [], template: ds.def.template, style: style(models[task.model], ds) })
      );
    }, 0);
    const progress = new Progress({ label: 'eval', unit: 'req', ...opts.progress, total });
    const predictions = new Map<string, InferredPrediction>();
    const records: TaskRecord[] = tasks.map((t) => ({ id: t.id, samples: 0, errors: 0, cached: 0, wallMs: 0 }));
    const requests = { sent: 0, cached: 0 };
    let next = 0;
    const tInfer = performance.now();
    const worker = async () => {
      while (next < items.length && !opts.signal?.aborted) {
        const { t, sample } = items[next++];
        const task = tasks[t];
        const model = models[task.model];
        const ds = datasets[task.dataset];
        const ctx: InferContext = {
          provider: model.provider,
          cache,
          signal: opts.signal,
          onRequest: (fromCache) => {
            if (fromCache) requests.cached++;
            else requests.sent++;
            progress.tick(1, `${requests.cached} cached`);
          },
        };
        const started = performance.now();
        const p = await ds.inferencer.infer(
          { sample, shots: shotsFor(ds, sample), template: ds.def.template, style: style(model, ds) },
          ctx,
        );
        if (opts.signal?.aborted && p.error) break; // an answer cut off by the abort is not a result
        predictions.set(`${t}\u0000${sample.id}`, p);
        const rec = records[t];
        rec.samples++;
        rec.wallMs += performance.now() - started;
        if (p.error) rec.errors++;
        if (p.cached) rec.cached++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.concurrency, Math.max(1, items.length)) }, worker));
    progress.finish(`${requests.sent} sent, ${requests.cached} cached`);
    phases.inferMs = performance.now() - tInfer;
    if (opts.signal?.aborted) {
      const summary: RunSummary = {
        outDir,
        status: 'aborted',
        results: [],
        tasks: records,
        requests,
        wallMs: performance.now() - t0,
        phases,
      };
      writeFileSync(join(outDir, 'run.json'), `${JSON.stringify({ ...summary, config }, null, 2)}\n`);
      return summary;
    }
    const results: UnitResult[] = [];
    const tScore = performance.now();
    for (const [d, ds] of datasets.entries()) {
      for (const [m, model] of models.entries()) {
        const preds = tasks
          .map((task, t) => ({ task, t }))
          .filter(({ task }) => task.model === m && task.dataset === d)
          .flatMap(({ task, t }) => task.samples.map((s) => predictions.get(`${t}\u0000${s.id}`)!));
        results.push(await scoreUnit(outDir, model.label, style(model, ds), ds, preds, config.opencompassLayout ?? false));
      }
    }
    phases.scoreMs = performance.now() - tScore;
    const tWrite = performance.now();
    const summary: RunSummary = { outDir, status: 'done', results, tasks: records, requests, wallMs: performance.now() - t0, phases };
    await writeReport(outDir, summary, { datasets: new Map(datasets.map((d) => [d.name, d.def])) });
    phases.writeMs = performance.now() - tWrite;
    summary.wallMs = performance.now() - t0;
    writeFileSync(join(outDir, 'run.json'), `${JSON.stringify({ ...summary, config, finishedAt: new Date().toISOString() }, null, 2)}\n`);
    await recordEvalLineage(
      outDir,
      config,
      datasets.map((d) => d.def.dirName),
      results,
      opts.lineage,
    );
    return summary;
  } finally {
    cache.close();
    await Promise.all(models.map((m) => m.provider.close?.()));
  }
}

/** Writes one model × dataset's predictions and scored samples; returns its headline numbers. */
async function scoreUnit(
  outDir: string,
  label: string,
  style: ModelStyle,
  ds: LoadedDataset,
  preds: InferredPrediction[],
  openCompassLayout: boolean,
): Promise<UnitResult> {
  const dir = safeName(label);
  const predictionsFile = join('predictions', dir, `${safeName(ds.name)}.jsonl`);
  const scoredFile = join('results', dir, `${safeName(ds.name)}.jsonl`);
  mkdirSync(join(outDir, 'predictions', dir), { recursive: true });
  mkdirSync(join(outDir, 'results', dir), { recursive: true });
  writeFileSync(join(outDir, predictionsFile), preds.map((p) => `${JSON.stringify({ ...p, cached: undefined })}\n`).join(''));
  const openCompassFiles =
    openCompassLayout && ds.all
      ? writeOpenCompassPredictions(join(outDir, 'predictions', dir), ds.def, ds.all, preds).map((f) => join('predictions', dir, f))
      : undefined;
  const evaluator = ds.def.evaluator({ style });
  const result: EvalResult =
    ds.inferencer.name === 'sc' && ds.def.kind !== 'code'
      ? await majorityVote(evaluator, ds.samples, preds)
      : await evaluator.score(ds.samples, preds);
  writeFileSync(join(outDir, scoredFile), result.samples.map((s) => `${JSON.stringify(s)}\n`).join(''));
  const summary = summarizeSubsets(ds.def, ds.samples, result);
  const metric = summary.headline?.metric ?? ('accuracy' in result.metrics ? 'accuracy' : (Object.keys(result.metrics)[0] ?? 'accuracy'));
  const metrics = summary.headline ? { ...result.metrics, [metric]: summary.headline.score } : result.metrics;
  return {
    model: label,
    dataset: ds.name,
    inferencer: ds.inferencer.name,
    metric,
    score: metrics[metric] ?? 0,
    metrics,
    headline: summary.headline?.name,
    subsets: summary.subsets,
    groups: summary.groups,
    openCompassFiles,
    samples: preds.length,
    errors: preds.filter((p) => p.error).length,
    predictionsFile,
    scoredFile,
  };
}
