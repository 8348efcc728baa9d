import { ConfigError } from '@puyu/core';
import type { RunConfig } from '../runner/RunConfig.js';
import { type RunOptions, runEval } from '../runner/runEval.js';
import type { RunSummary } from '../runSummary.js';
import { type NeedleBenchOptions, needleBenchDataset } from './needleBenchDataset.js';

/**
 * NeedleBench through the ordinary runner (same providers, cache, resume, report): the
 * grid becomes a dataset named `needlebench`, whose `reportArtifacts` hook adds one heatmap
 * (SVG + PNG under `heatmaps/`) per model × kind × language to the report.
 */
export async function runNeedleBench(
  config: Omit<RunConfig, 'datasets'>,
  needle: NeedleBenchOptions,
  opts: Omit<RunOptions, 'resolveDataset'> = {},
): Promise<RunSummary> {
  const def = needleBenchDataset(needle);
  return runEval(
    { ...config, datasets: [{ name: 'needlebench', maxTokens: 128 }] },
    {
      ...opts,
      resolveDataset: (name) => {
        if (name !== 'needlebench') throw new ConfigError('EVAL_UNKNOWN_DATASET', `runNeedleBench only runs needlebench, not ${name}.`);
        return def;
      },
    },
  );
}
