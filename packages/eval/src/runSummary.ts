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
