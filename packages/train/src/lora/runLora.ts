import { CheckpointError } from '../checkpoint/Checkpoints.js';
import { runTrainingChild } from '../loop/runTrainingChild.js';
import { recordTrainingLineage, trainCommand, trainingMetrics } from '../loop/trainLineage.js';
import { SftDataError } from '../sft/data/SftDataError.js';
import type { LoraResult } from './lora.js';
import { loadLoraConfig } from './loraConfig.js';

/**
 * Runs a LoRA config in a child process (as runSft does) and returns its result. The config is
 * validated here first, so a bad field is reported before anything starts.
 */
export async function runLora(configPath: string, opts: { resume?: boolean; threads?: number } = {}): Promise<LoraResult> {
  const cfg = await loadLoraConfig(configPath);
  const r = await runTrainingChild<LoraResult>(new URL('./lora-child.js', import.meta.url), configPath, {
    ...opts,
    errorClasses: [CheckpointError, SftDataError],
  });
  await recordTrainingLineage({ command: trainCommand('lora', configPath), config: cfg, outputs: r.outputs, metrics: trainingMetrics(r) });
  return r;
}
