// Child-process entry of `puyu train dpo`: ggml runs here, so an abort in native code ends this
// process only and the parent reports it (see runNativeJob).
import { serveNativeJob } from '@puyu/ggml';
import { dpo } from './dpo.js';
import { loadDpoConfig } from './dpoConfig.js';

await serveNativeJob(async ([configPath, ...flags]) => {
  const cfg = await loadDpoConfig(configPath);
  const threads = flags.find((f) => f.startsWith('--threads='));
  if (threads) cfg.train.threads = Number(threads.split('=')[1]);
  return dpo(cfg, { resume: flags.includes('--resume') });
});
