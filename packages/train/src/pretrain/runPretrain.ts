import { loadTokenizer } from '@puyu/formats';
import type { TrainPrecision } from '../graph/precision.js';
import { runTrainingChild } from '../loop/runTrainingChild.js';
import { recordTrainingLineage, trainCommand, trainingMetrics } from '../loop/trainLineage.js';
import { checkMemory } from './estimateMemory.js';
import type { PretrainResult } from './pretrain.js';
import { freshModelConfig, loadPretrainConfig } from './pretrainConfig.js';

/**
 * Runs a pretraining config in a child process and returns its result. The config is
 * validated here first, so a bad field is reported before anything starts.
 */
export async function runPretrain(
  configPath: string,
  opts: { resume?: boolean; threads?: number; precision?: TrainPrecision } = {},
): Promise<PretrainResult> {
  const cfg = await loadPretrainConfig(configPath);
  if (cfg.model) {
    // refuse a run that cannot fit before starting the child (which checks again)
    const config = freshModelConfig(cfg.model, loadTokenizer(cfg.tokenizer));
    checkMemory(config, cfg.train.batch_size, cfg.train.seq_len, cfg.memory_limit_gb);
  }
  const r = await runTrainingChild<PretrainResult>(new URL('./pretrain-child.js', import.meta.url), configPath, opts);
  await recordTrainingLineage({
    command: trainCommand('pretrain', configPath),
    config: cfg,
    outputs: r.outputs,
    metrics: trainingMetrics(r),
  });
  return r;
}
