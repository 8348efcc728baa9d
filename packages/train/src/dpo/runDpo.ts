import { CheckpointError } from '../checkpoint/Checkpoints.js';
import { runTrainingChild } from '../loop/runTrainingChild.js';
import { DpoDataError } from './data/DpoDataError.js';
import type { DpoResult } from './dpo.js';
import { loadDpoConfig } from './dpoConfig.js';

/** Runs a DPO config in a child process (as runSft does); the config is validated here first. */
export async function runDpo(configPath: string, opts: { resume?: boolean; threads?: number } = {}): Promise<DpoResult> {
  await loadDpoConfig(configPath);
  return runTrainingChild<DpoResult>(new URL('./dpo-child.js', import.meta.url), configPath, {
    ...opts,
    errorClasses: [CheckpointError, DpoDataError],
  });
}
