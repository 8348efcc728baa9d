/**
 * The shared contract of `@puyu/eval`: what a dataset yields, how a prompt is rendered for base
 * and chat models, what an inferencer hands back, and what an evaluator returns. The runner,
 * providers and reports code against these types only; datasets, prompts and evaluators
 * implement them. Keep field names stable: predictions JSONL files are written in these shapes.
 */

import type { ChatMessage } from '@puyu/client';
import { PuyuError } from '@puyu/core';
import type { UnitResult } from './runSummary.js';

/** Any failure inside the evaluation stage (bad config, unknown dataset, mismatched predictions). */
export class EvaluationError extends PuyuError {}
/** Benchmark files are missing or not in the expected format; the message says how to get them. */
export class DatasetError extends EvaluationError {}
/** The code sandbox could not run (no python3, spawn failure); a failing program is a result, not this. */
export class SandboxError extends EvaluationError {}

/** How a dataset is answered: free generation, choosing among options, or writing code. */
export type TaskKind = 'gen' | 'mcq' | 'code';

/** Base models get one completion string; chat models get role-tagged messages. */
export type ModelStyle = 'base' | 'chat';

/** What an evaluator may need to know about the run it scores (OpenCompass picks some rules by model kind). */
export interface EvaluatorContext {
  style?: ModelStyle;
}

/** One benchmark item, normalised across datasets. */
export interface EvalSample {
  /** Unique within the dataset and stable across runs (cache and resume key on it), e.g. `mmlu/anatomy/12`. */
  id: string;
  /** Registry name of the dataset (`gsm8k`, `mmlu`, `bbh`, …). */
  dataset: string;
  /** Subject / task / split-part (MMLU subject, BBH task); absent for single-part datasets. */
  subset?: string;
  /** The question text, without the option list (templates add options). For HumanEval: the prompt (signature + docstring). */
  question: string;
  /** Option texts for multiple choice; labels are `A`, `B`, … by index. */
  choices?: string[];
  /**
   * The reference answer in the form evaluators compare against: an option letter for MCQ,
   * the number string for GSM8K, the LaTeX answer for MATH, the BBH target string, and the
   * canonical solution body for HumanEval.
   */
  gold: string;
  /** A worked solution when the dataset has one (GSM8K, MATH); used by few-shot exemplars. */
  solution?: string;
  /** Dataset-specific extras (HumanEval `test` / `entry_point`, MATH `level`, BBH `cotPrompt`, …). */
  meta: Record<string, unknown>;
}

/** Chat turns are the client's wire type, so rendered prompts go to a provider unchanged. */
export type { ChatMessage };

/** A prompt ready for a provider. */
export type RenderedPrompt = { style: 'base'; text: string } | { style: 'chat'; messages: ChatMessage[] };

export interface RenderInput {
  sample: EvalSample;
  /** In-context exemplars chosen by the retriever (may be empty). */
  shots: readonly EvalSample[];
  style: ModelStyle;
}

/** Turns a sample (plus exemplars) into a prompt; OpenCompass's `PromptTemplate` + `ICL` template. */
export interface PromptTemplate {
  /** Stable identifier; part of the cache key. */
  id: string;
  render(input: RenderInput): RenderedPrompt;
  /**
   * For log-likelihood (PPL) inference on multiple choice: the continuation strings whose
   * likelihood after the rendered base prompt is compared, one per choice in `sample.choices` order.
   */
  continuations?(sample: EvalSample): string[];
  /**
   * Stop strings for base-style (completion) generation, e.g. `\nQuestion:`. Chat models end at
   * their end-of-turn; do not send these with chat requests (HumanEval's `\ndef` would cut code).
   */
  stop?: readonly string[];
  /** Default generation budget. */
  maxTokens?: number;
}

/** How few-shot exemplars are picked from the dataset's pool. */
export type RetrieverKind = 'zero' | 'fixed' | 'random' | 'bm25';

export interface FewShotConfig {
  retriever: RetrieverKind;
  /** Number of exemplars (ignored by `zero`). */
  k: number;
  /** Seed for `random`. */
  seed?: number;
}

export interface LoadOptions {
  /** Data root; the dataset looks under `<root>/<def.dirName>/`. */
  root: string;
  /** Only these subjects/tasks (MMLU, CMMLU, C-Eval, BBH). */
  subsets?: readonly string[];
  /** Keep at most this many samples (after subset filtering, in file order; per subset when `limitPerSubset`). */
  limit?: number;
  limitPerSubset?: boolean;
  /** Split name where the dataset has several (`test`, `val`, `dev`); each dataset has a default. */
  split?: string;
  /**
   * Seed of the stratified `limit` draw over subsets (default 0): which samples of each subject
   * are kept, and which subjects get the remainder when the limit does not divide evenly.
   */
  seed?: number;
}

/**
 * One OpenCompass summarizer group: the scores of its subsets (OpenCompass dataset abbrs such as
 * `lukaemon_mmlu_anatomy`) averaged without weights, or with `weights` (keyed by abbr) when given.
 */
export interface SummaryGroup {
  name: string;
  subsets: readonly string[];
  weights?: Readonly<Record<string, number>>;
}

/** How OpenCompass names a dataset's parts and summarises them (opencompass/configs/summarizers/groups/*.py). */
export interface OpenCompassNames {
  /**
   * The abbr of the OpenCompass dataset a sample belongs to: one per subject for MMLU
   * (`lukaemon_mmlu_<subject>`), CMMLU, C-Eval and BBH, the whole dataset otherwise (`gsm8k`).
   * It names the prediction file (`predictions/<model>/<abbr>.json`) and the per-subject rows.
   */
  abbr(sample: EvalSample): string;
  /** Summarizer groups, in display order. Groups none of whose subsets ran are left out, as OpenCompass does. */
  groups?: readonly SummaryGroup[];
  /** The group(s) whose score is the dataset's headline, first present wins (`ceval`, then `ceval-test`). */
  headline?: readonly string[];
}

/** One registry entry: everything needed to load, prompt and score a benchmark. */
export interface DatasetDef {
  name: string;
  kind: TaskKind;
  description: string;
  /** Directory under the data root. */
  dirName: string;
  /** All subsets (subjects / tasks) the dataset has, when it has several. */
  subsets?: readonly string[];
  /** How a user gets the files (printed when they are missing). */
  howToObtain: string;
  load(opts: LoadOptions): Promise<EvalSample[]>;
  /** Exemplar pool for few-shot retrieval (train / dev split); absent when the dataset has none. */
  loadFewShotPool?(opts: LoadOptions): Promise<EvalSample[]>;
  /** OpenCompass-style default template for this dataset. */
  template: PromptTemplate;
  /** Default few-shot setting (OpenCompass's default config for the dataset). */
  fewShot: FewShotConfig;
  /** The default evaluator for this dataset; `ctx.style` is the prompt style of the model whose outputs it scores. */
  evaluator(ctx?: EvaluatorContext): Evaluator;
  /** OpenCompass's names and summary groups; without it the dataset is one OpenCompass dataset named like ours. */
  openCompass?: OpenCompassNames;
  /**
   * The dataset's own report artefacts (NeedleBench's depth × length heatmaps), beyond the
   * tables every dataset gets. The generic report calls it once per run with this dataset's
   * results and embeds the section it returns, so the report knows no dataset by name.
   */
  reportArtifacts?(input: ReportArtifactsInput): ReportArtifacts | undefined | Promise<ReportArtifacts | undefined>;
}

/** What the report hands a dataset's `reportArtifacts` hook. */
export interface ReportArtifactsInput {
  /** The run folder: artefact files go under it (e.g. `heatmaps/`). */
  outDir: string;
  /** This dataset's results in the run, one per model. */
  units: readonly UnitResult[];
  /** Every scored sample of one unit (its `results/<model>/<dataset>.jsonl`). */
  scored(unit: UnitResult): ScoredSample[];
}

/** One dataset-specific section of report.html. */
export interface ReportArtifacts {
  /** The section heading. */
  title: string;
  /** HTML placed under the heading, trusted as is: the dataset's own code builds it (inline SVG figures), escaping what it quotes. */
  html: string;
  /** Files the hook wrote, relative to the run folder; the report links them. */
  files?: string[];
}

/** A provider failure recorded as data; the sample scores as wrong, the run goes on. */
export interface PredictionError {
  code: string;
  message: string;
}

/** What an inferencer produced for one sample (one line of a predictions JSONL file). */
export interface Prediction {
  /** `EvalSample.id`. */
  id: string;
  /** Raw model output (the first sample when `n > 1`). */
  output: string;
  /** All n generations (self-consistency, pass@k); `outputs[0] === output` when present. */
  outputs?: string[];
  /** Per-choice log-likelihoods (PPL inference), in `sample.choices` order. */
  choiceLogprobs?: number[];
  error?: PredictionError;
}

/** One sample after scoring. */
export interface ScoredSample {
  id: string;
  gold: string;
  /** Raw output scored (first output for n > 1). */
  output: string;
  /** The answer extracted from the output; `null` when no answer could be found. */
  extracted: string | null;
  correct: boolean;
  /** 1/0 for exact metrics; fractional for pass@k or self-consistency votes. */
  score: number;
  /** Evaluator-specific extras (per-output results, vote counts, sandbox status, …). */
  detail?: Record<string, unknown>;
}

/** Aggregate metrics are percentages (0–100) as OpenCompass reports them, e.g. `{ accuracy: 66.7 }`. */
export interface EvalResult {
  dataset: string;
  evaluator: string;
  metrics: Record<string, number>;
  samples: ScoredSample[];
}

/** Scores a batch. Samples and predictions are matched by id; a missing prediction scores as wrong. */
export interface Evaluator {
  name: string;
  score(samples: readonly EvalSample[], predictions: readonly Prediction[]): Promise<EvalResult>;
}

/** Option labels in order: `A`, `B`, … */
export const OPTION_LABELS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
