import { fileURLToPath } from 'node:url';
import { PuyuError } from '@puyu/core';
import { runNativeJob } from '@puyu/ggml';
import { CheckpointError } from '../checkpoint/Checkpoints.js';
import { SftDataError } from './data/SftDataError.js';
import type { SftResult } from './sft.js';
import { loadSftConfig } from './sftConfig.js';

/**
 * Runs an SFT config in a child process (as runPretrain does) and returns its result. The
 * config is validated here first, so a bad field is reported before anything starts.
 */
export async function runSft(configPath: string, opts: { resume?: boolean; threads?: number } = {}): Promise<SftResult> {
  await loadSftConfig(configPath);
  const here = fileURLToPath(import.meta.url);
  const isTs = here.endsWith('.ts');
  const child = here.replace(/runSft\.(ts|js)$/, `sft-child.${isTs ? 'ts' : 'js'}`);
  const args = [configPath];
  if (opts.resume) args.push('--resume');
  if (opts.threads) args.push(`--threads=${opts.threads}`);
  const { result } = await runNativeJob(child, args, {
    inheritStderr: true,
    env: isTs ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim() } : undefined,
    // the child's errors arrive as themselves (ConfigError, CheckpointError, SftDataError…) with their codes
    errorClasses: [CheckpointError, SftDataError],
    errorCode: 'TRAIN_FAILED',
  });
  if (result === undefined) throw new PuyuError('TRAIN_NO_RESULT', 'the training process ended without reporting a result.');
  return result as SftResult;
}
