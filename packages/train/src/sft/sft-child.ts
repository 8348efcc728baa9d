// Child-process entry of `puyu train sft`: ggml runs here, so an abort in native code ends
// this process only and the parent reports it (see runNativeJob). An error thrown here
// reaches the parent as the same class with the same code (serveNativeJob).
import { serveNativeJob } from '@puyu/ggml';
import type { TrainPrecision } from '../graph/precision.js';
import { sft } from './sft.js';
import { loadSftConfig } from './sftConfig.js';

await serveNativeJob(async ([configPath, ...flags]) => {
  const cfg = await loadSftConfig(configPath);
  const threads = flags.find((f) => f.startsWith('--threads='));
  if (threads) cfg.train.threads = Number(threads.split('=')[1]);
  const replicas = flags.find((f) => f.startsWith('--replicas='));
  if (replicas) cfg.train.replicas = Number(replicas.split('=')[1]);
  const precision = flags.find((f) => f.startsWith('--precision='));
  if (precision) cfg.train.precision = precision.split('=')[1] as TrainPrecision;
  return sft(cfg, { resume: flags.includes('--resume') });
});
