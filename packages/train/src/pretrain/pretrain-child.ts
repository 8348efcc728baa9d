// Child-process entry of `puyu train pretrain`: ggml runs here, so an abort in native
// code ends this process only and the parent reports it (see runNativeJob). An error
// thrown here reaches the parent as the same class with the same code (serveNativeJob).
import { serveNativeJob } from '@puyu/ggml';
import type { TrainPrecision } from '../graph/precision.js';
import { pretrain } from './pretrain.js';
import { loadPretrainConfig } from './pretrainConfig.js';

await serveNativeJob(async ([configPath, ...flags]) => {
  const cfg = await loadPretrainConfig(configPath);
  const threads = flags.find((f) => f.startsWith('--threads='));
  if (threads) cfg.train.threads = Number(threads.split('=')[1]);
  const replicas = flags.find((f) => f.startsWith('--replicas='));
  if (replicas) cfg.train.replicas = Number(replicas.split('=')[1]);
  const precision = flags.find((f) => f.startsWith('--precision='));
  if (precision) cfg.train.precision = precision.split('=')[1] as TrainPrecision;
  return pretrain(cfg, { resume: flags.includes('--resume') });
});
