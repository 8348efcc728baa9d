import { CheckpointError } from '../checkpoint/Checkpoints.js';
import { runTrainingChild } from '../loop/runTrainingChild.js';
import { recordTrainingLineage, trainCommand, trainingMetrics } from '../loop/trainLineage.js';
import { DpoDataError } from './data/DpoDataError.js';
import type { DpoResult } from './dpo.js';
import { loadDpoConfig } from './dpoConfig.js';

/** Runs a DPO config in a child process (as runSft does); the config is validated here first. */
export async function runDpo(configPath: string, opts: { resume?: boolean; threads?: number } = {}): Promise<DpoResult> {
  const cfg = await loadDpoConfig(configPath);
  const r = await runTrainingChild<DpoResult>(new URL('./dpo-child.js', import.meta.url), configPath, {
    ...opts,
    errorClasses: [CheckpointError, DpoDataError],
  });
  const rewards: Record<string, number> = r.heldOut ? { reward_accuracy: Number(r.heldOut.reward_accuracy.toFixed(4)) } : {};
  await recordTrainingLineage({
    command: trainCommand('dpo', configPath),
    config: cfg,
    outputs: r.outputs,
    metrics: { ...trainingMetrics(r), ...rewards },
  });
  return r;
}
