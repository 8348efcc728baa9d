import { loadTokenizer } from '@puyu/formats';
import type { TrainPrecision } from '../graph/precision.js';
import { runTrainingChild } from '../loop/runTrainingChild.js';
import { recordTrainingLineage, trainCommand, trainingMetrics } from '../loop/trainLineage.js';
import { checkMemory, replicaParamCopies } from './estimateMemory.js';
import type { PretrainResult } from './pretrain.js';
import { freshModelConfig, loadPretrainConfig } from './pretrainConfig.js';

/**
 * Runs a pretraining config in a child process and returns its result. The config is
 * validated here first, so a bad field is reported before anything starts.
 */
export async function runPretrain(
  configPath: string,
  opts: { resume?: boolean; threads?: number; replicas?: number; precision?: TrainPrecision } = {},
): Promise<PretrainResult> {
  const cfg = await loadPretrainConfig(configPath);
  if (cfg.model) {
    // refuse a run that cannot fit before starting the child (which checks again)
    const config = freshModelConfig(cfg.model, loadTokenizer(cfg.tokenizer));
    const { batch_size: B, seq_len: T, replicas } = cfg.train;
    checkMemory(config, B, T, cfg.memory_limit_gb, 6 + replicaParamCopies(replicas, B));
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
