import { fileURLToPath } from 'node:url';
import { PuyuError } from '@puyu/core';
import { type PuyuErrorClass, runNativeJob } from '@puyu/ggml';
import { CheckpointError } from '../checkpoint/Checkpoints.js';
import type { TrainPrecision } from '../graph/precision.js';

/**
 * Runs a training method's child entry (`pretrain-child`, `sft-child`) with the config path and
 * the CLI's overrides, and returns what it reports. Native training runs in a child so a ggml
 * abort becomes a clean error; the child's errors arrive as themselves (core's classes and
 * `errorClasses`, CheckpointError by default) with their codes. Under tsx (tests,
 * benches) the child is the `.ts` source and loads tsx too.
 */
export async function runTrainingChild<R>(
  childModuleUrl: URL,
  configPath: string,
  opts: { resume?: boolean; threads?: number; replicas?: number; precision?: TrainPrecision; errorClasses?: readonly PuyuErrorClass[] },
): Promise<R> {
  const isTs = import.meta.url.endsWith('.ts');
  const child = fileURLToPath(childModuleUrl).replace(/\.(ts|js)$/, isTs ? '.ts' : '.js');
  const args = [configPath];
  if (opts.resume) args.push('--resume');
  if (opts.threads) args.push(`--threads=${opts.threads}`);
  if (opts.replicas) args.push(`--replicas=${opts.replicas}`);
  if (opts.precision) args.push(`--precision=${opts.precision}`);
  const { result } = await runNativeJob(child, args, {
    inheritStderr: true,
    env: isTs ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim() } : undefined,
    errorClasses: opts.errorClasses ?? [CheckpointError],
    errorCode: 'TRAIN_FAILED',
  });
  if (result === undefined) throw new PuyuError('TRAIN_NO_RESULT', 'the training process ended without reporting a result.');
  return result as R;
}
