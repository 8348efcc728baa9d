// Child-process entry of `puyu train lora`: ggml runs here, so an abort in native code ends
// this process only and the parent reports it (see runNativeJob). An error thrown here
// reaches the parent as the same class with the same code (serveNativeJob).
import { serveNativeJob } from '@puyu/ggml';
import { lora } from './lora.js';
import { loadLoraConfig } from './loraConfig.js';

await serveNativeJob(async ([configPath, ...flags]) => {
  const cfg = await loadLoraConfig(configPath);
  const threads = flags.find((f) => f.startsWith('--threads='));
  if (threads) cfg.train.threads = Number(threads.split('=')[1]);
  return lora(cfg, { resume: flags.includes('--resume') });
});
