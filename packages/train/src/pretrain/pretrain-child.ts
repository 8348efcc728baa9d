// Child-process entry of `puyu train pretrain`: ggml runs here, so an abort in native
// code ends this process only and the parent reports it (see runNativeJob).
import { describeError } from '@puyu/core';
import { pretrain } from './pretrain.js';
import { loadPretrainConfig } from './pretrainConfig.js';

const [configPath, ...flags] = process.argv.slice(2);
try {
  const cfg = await loadPretrainConfig(configPath);
  const threads = flags.find((f) => f.startsWith('--threads='));
  if (threads) cfg.train.threads = Number(threads.split('=')[1]);
  const result = await pretrain(cfg, { resume: flags.includes('--resume') });
  process.send?.({ ok: true, result });
} catch (e) {
  // a handled error is a result, not a crash: the parent rethrows it with its code
  process.send?.({
    ok: false,
    error: { code: (e as { code?: string }).code ?? 'TRAIN_FAILED', message: (e as Error).message ?? describeError(e) },
  });
}
