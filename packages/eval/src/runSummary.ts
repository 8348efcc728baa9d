/**
 * What a finished (or aborted) run reports: the runner produces these, the report, the
 * leaderboard and the CLI read them. They live in their own module, apart from the runner,
 * so that readers of a summary never import the runner (the report used to, which made
 * runner → report → runner an import cycle).
 */

/** One model × dataset result, as summaries and leaderboards read it. */
export interface UnitResult {
  model: string;
  dataset: string;
  inferencer: string;
  /** The headline metric's name and value (percent). */
  metric: string;
  score: number;
  metrics: Record<string, number>;
  samples: number;
  errors: number;
  /** Relative paths inside the run folder. */
  predictionsFile: string;
  scoredFile: string;
  /** Predictions in OpenCompass's layout (`predictions/<model>/<abbr>.json`), when the run asked for it. */
  openCompassFiles?: string[];
  /** The headline group's name when the headline is a summarizer group (`mmlu`: the unweighted mean over subjects). */
  headline?: string;
  /** Per-subject scores (OpenCompass's one dataset per subject), for datasets with summary groups. */
  subsets?: SubsetScore[];
  /** OpenCompass summarizer groups that ran, in display order; the headline is one of them. */
  groups?: GroupScore[];
}

/** One subject's score: the mean sample score in percent, as OpenCompass's accuracy for that subject dataset. */
export interface SubsetScore {
  /** OpenCompass dataset abbr, e.g. `lukaemon_mmlu_anatomy`. */
  name: string;
  samples: number;
  score: number;
}

/** One summarizer group's score over the subsets of it that ran. */
export interface GroupScore {
  name: string;
  /** OpenCompass's metric names for the two rules. */
  metric: 'naive_average' | 'weighted_average';
  score: number;
  /** Subsets of the group that ran, and how many it has: fewer is a partial score (OpenCompass would print "-"). */
  subsets: number;
  of: number;
  samples: number;
}

export interface TaskRecord {
  id: string;
  samples: number;
  errors: number;
  cached: number;
  wallMs: number;
}

export interface RunSummary {
  outDir: string;
  status: 'done' | 'aborted';
  results: UnitResult[];
  tasks: TaskRecord[];
  requests: { sent: number; cached: number };
  wallMs: number;
  /** Where the wall time went: loading data, inference, scoring, writing files (ms). */
  phases: { loadMs: number; inferMs: number; scoreMs: number; writeMs: number };
}
