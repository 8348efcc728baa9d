import { CheckpointError } from '../checkpoint/Checkpoints.js';
import type { TrainPrecision } from '../graph/precision.js';
import { runTrainingChild } from '../loop/runTrainingChild.js';
import { recordTrainingLineage, trainCommand, trainingMetrics } from '../loop/trainLineage.js';
import { SftDataError } from './data/SftDataError.js';
import type { SftResult } from './sft.js';
import { loadSftConfig } from './sftConfig.js';

/**
 * Runs an SFT config in a child process (as runPretrain does) and returns its result. The
 * config is validated here first, so a bad field is reported before anything starts.
 */
export async function runSft(
  configPath: string,
  opts: { resume?: boolean; threads?: number; replicas?: number; precision?: TrainPrecision } = {},
): Promise<SftResult> {
  const cfg = await loadSftConfig(configPath);
  const r = await runTrainingChild<SftResult>(new URL('./sft-child.js', import.meta.url), configPath, {
    ...opts,
    errorClasses: [CheckpointError, SftDataError],
  });
  await recordTrainingLineage({ command: trainCommand('sft', configPath), config: cfg, outputs: r.outputs, metrics: trainingMetrics(r) });
  return r;
}
