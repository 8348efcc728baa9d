import { fileURLToPath } from 'node:url';
import { PuyuError } from '@puyu/core';
import { loadTokenizer } from '@puyu/formats';
import { runNativeJob } from '@puyu/ggml';
import { CheckpointError } from '../checkpoint/Checkpoints.js';
import { checkMemory } from './estimateMemory.js';
import type { PretrainResult } from './pretrain.js';
import { freshModelConfig, loadPretrainConfig } from './pretrainConfig.js';

/**
 * Runs a pretraining config in a child process and returns its result. The config is
 * validated here first, so a bad field is reported before anything starts.
 */
export async function runPretrain(configPath: string, opts: { resume?: boolean; threads?: number } = {}): Promise<PretrainResult> {
  const cfg = await loadPretrainConfig(configPath);
  if (cfg.model) {
    // refuse a run that cannot fit before starting the child (which checks again)
    const config = freshModelConfig(cfg.model, loadTokenizer(cfg.tokenizer));
    checkMemory(config, cfg.train.batch_size, cfg.train.seq_len, cfg.memory_limit_gb);
  }
  const here = fileURLToPath(import.meta.url);
  const isTs = here.endsWith('.ts');
  const child = here.replace(/runPretrain\.(ts|js)$/, `pretrain-child.${isTs ? 'ts' : 'js'}`);
  const args = [configPath];
  if (opts.resume) args.push('--resume');
  if (opts.threads) args.push(`--threads=${opts.threads}`);
  const { result } = await runNativeJob(child, args, {
    inheritStderr: true,
    env: isTs ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim() } : undefined,
    // the child's errors arrive as themselves (ConfigError, CheckpointError…) with their codes
    errorClasses: [CheckpointError],
    errorCode: 'TRAIN_FAILED',
  });
  if (result === undefined) throw new PuyuError('TRAIN_NO_RESULT', 'the training process ended without reporting a result.');
  return result as PretrainResult;
}
