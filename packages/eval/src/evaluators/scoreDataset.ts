/**
 * OpenCompass's eval-only mode: score predictions that already exist (a predictions JSONL from a
 * previous run, or from another harness) against a dataset, returning per-sample records with the
 * extracted answer and correctness plus the aggregate metrics.
 */
import { existsSync, statSync } from 'node:fs';
import { readJsonl } from '@puyu/core';
import { z } from 'zod';
import { getDataset } from '../datasets/registry.js';
import { summarizeSubsets } from '../report/groupScores.js';
import { readOpenCompassPredictions } from '../runner/openCompassLayout.js';
import type { GroupScore, SubsetScore } from '../runSummary.js';
import { type EvalResult, type EvalSample, EvaluationError, type Evaluator, type ModelStyle, type Prediction } from '../types.js';
import { CircularEvaluator, circularExpand } from './circular.js';

/** One line of a predictions file (the `Prediction` type, validated). */
export const predictionSchema = z.object({
  id: z.string().min(1),
  output: z.string(),
  outputs: z.array(z.string()).optional(),
  choiceLogprobs: z.array(z.number()).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/** Reads and validates a predictions JSONL file: it must exist, hold at least one record, and name each id once. */
export async function readPredictions(path: string): Promise<Prediction[]> {
  if (!existsSync(path) || statSync(path).isDirectory())
    throw new EvaluationError(
      'EVAL_PREDICTIONS_MISSING',
      `${path} ${existsSync(path) ? 'is a folder' : 'does not exist'}: pass a predictions JSONL file (a run writes predictions/<model>/<dataset>.jsonl), or an OpenCompass <abbr>.json file or predictions/<model>/ folder.`,
    );
  const out: Prediction[] = [];
  const seen = new Set<string>();
  let line = 0;
  for await (const row of readJsonl(path)) {
    line++;
    const r = predictionSchema.safeParse(row);
    if (!r.success) {
      throw new EvaluationError(
        'EVAL_BAD_PREDICTION',
        `${path}: record ${line} is not a prediction (${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}). Each line needs {"id": string, "output": string}.`,
      );
    }
    if (seen.has(r.data.id))
      throw new EvaluationError(
        'EVAL_DUPLICATE_PREDICTION_IDS',
        `${path}: record ${line} repeats id ${r.data.id}: keep one prediction per sample (several generations go in "outputs").`,
      );
    seen.add(r.data.id);
    out.push(r.data);
  }
  if (out.length === 0)
    throw new EvaluationError(
      'EVAL_PREDICTIONS_EMPTY',
      `${path} holds no predictions: rerun the inference that writes it, or pass another file.`,
    );
  return out;
}

/**
 * Reads predictions in either layout: a `.jsonl` file of `{"id", "output"}` records, or
 * OpenCompass's — one `<abbr>.json` (or split part `<abbr>_N.json`) or a `predictions/<model>/`
 * folder — whose keys are positions in the dataset's split, so the dataset is loaded to map them.
 */
export async function readAnyPredictions(
  path: string,
  name: string,
  opts: Pick<ScoreDatasetOptions, 'root' | 'subsets' | 'split'>,
): Promise<Prediction[]> {
  const openCompass = path.endsWith('.json') || (existsSync(path) && statSync(path).isDirectory());
  if (!openCompass) return readPredictions(path);
  const def = getDataset(name);
  const all = await def.load({ root: opts.root, subsets: opts.subsets, split: opts.split });
  return readOpenCompassPredictions(path, def, all);
}

export interface ScoreDatasetOptions {
  /** Data root holding the dataset's folder. */
  root: string;
  subsets?: readonly string[];
  split?: string;
  /** Score as circular evaluation; prediction ids must be the rotated ids (`<id>@circular:BCDA`). */
  circular?: boolean;
  /** Overrides the dataset's default evaluator. */
  evaluator?: Evaluator;
  /** The prompt style of the model that wrote the predictions (OpenCompass picks some rules by it; default chat). */
  style?: ModelStyle;
}

/**
 * Scores the predictions whose ids belong to the dataset. Samples without a prediction are left
 * out (eval-only mode scores what was predicted); a prediction id the dataset does not have is
 * an error, since it usually means the wrong dataset, split or subset was named.
 */
export async function scoreDataset(name: string, predictions: readonly Prediction[], opts: ScoreDatasetOptions): Promise<ScoredDataset> {
  const def = getDataset(name);
  let samples: EvalSample[] = await def.load({ root: opts.root, subsets: opts.subsets, split: opts.split });
  if (opts.circular) samples = circularExpand(samples);
  const wanted = new Set(predictions.map((p) => p.id));
  const known = new Set(samples.map((s) => s.id));
  const unknown = [...wanted].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new EvaluationError(
      'EVAL_UNKNOWN_PREDICTION_IDS',
      `${unknown.length} prediction id(s) are not in ${name}${opts.split ? ` (${opts.split})` : ''}: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}. Check --dataset, --split and --subsets${opts.circular ? '' : ' (circular ids need --circular)'}.`,
      { details: { unknown: unknown.slice(0, 100) } },
    );
  }
  const chosen = samples.filter((s) => wanted.has(s.id));
  const base = opts.evaluator ?? def.evaluator({ style: opts.style });
  const evaluator = opts.circular ? new CircularEvaluator(base) : base;
  const result = await evaluator.score(chosen, predictions);
  const { subsets, groups, headline } = summarizeSubsets(def, chosen, result);
  const metrics = headline ? { ...result.metrics, [headline.metric]: headline.score } : result.metrics;
  return { ...result, dataset: name, metrics, ...(subsets ? { subsets, groups, headline: headline?.name } : {}) };
}

/** A scored dataset with OpenCompass's per-subject scores and summarizer groups where it has them (headline in `metrics`). */
export interface ScoredDataset extends EvalResult {
  subsets?: SubsetScore[];
  groups?: GroupScore[];
  headline?: string;
}
