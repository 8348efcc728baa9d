import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { UnitResult } from '../runSummary.js';
import { EvaluationError } from '../types.js';

/** One model × dataset as the leaderboard sees it: the headline score and every sample's score (0–1). */
export interface BoardEntry {
  model: string;
  dataset: string;
  metric: string;
  score: number;
  sampleScores: number[];
  run: string;
}

/**
 * Reads finished run folders (their run.json and scored samples). When the same model ×
 * dataset appears in several runs, the run named later on the command line wins, so a
 * re-evaluation replaces an old number without deleting its folder.
 */
export function collectRuns(dirs: readonly string[]): BoardEntry[] {
  const entries = new Map<string, BoardEntry>();
  for (const d of dirs) {
    const dir = resolve(d);
    const runFile = join(dir, 'run.json');
    if (!existsSync(runFile))
      throw new EvaluationError('EVAL_NOT_A_RUN', `${dir} has no run.json: pass folders written by \`puyu eval run\`.`);
    const run = JSON.parse(readFileSync(runFile, 'utf8')) as { status?: string; results?: UnitResult[] };
    if (run.status !== 'done')
      throw new EvaluationError(
        'EVAL_RUN_UNFINISHED',
        `${dir} did not finish (status ${run.status}): rerun it to resume, then build the leaderboard.`,
      );
    for (const u of run.results ?? []) {
      const path = join(dir, u.scoredFile);
      const sampleScores = existsSync(path)
        ? readFileSync(path, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => Number((JSON.parse(l) as { score: number }).score))
        : [];
      entries.set(`${u.model}\u0000${u.dataset}`, {
        model: u.model,
        dataset: u.dataset,
        metric: u.metric,
        score: u.score,
        sampleScores,
        run: dir,
      });
    }
  }
  return [...entries.values()];
}
