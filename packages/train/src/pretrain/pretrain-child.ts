// Child-process entry of `puyu train pretrain`: ggml runs here, so an abort in native
// code ends this process only and the parent reports it (see runNativeJob).
import { describeError } from '@puyu/core';
import { pretrain } from './pretrain.js';
import { loadPretrainConfig } from './pretrainConfig.js';

let finished = false;
// If the parent dies (even by SIGKILL) the IPC channel closes: stop rather than train on
// as an orphan. (Listening for 'disconnect' keeps the channel referenced, so we close it
// ourselves once the result is sent.)
process.on('disconnect', () => {
  if (!finished) process.exit(130);
});

function reply(msg: unknown): void {
  finished = true;
  process.send?.(msg, () => process.disconnect());
}

const [configPath, ...flags] = process.argv.slice(2);
try {
  const cfg = await loadPretrainConfig(configPath);
  const threads = flags.find((f) => f.startsWith('--threads='));
  if (threads) cfg.train.threads = Number(threads.split('=')[1]);
  reply({ ok: true, result: await pretrain(cfg, { resume: flags.includes('--resume') }) });
} catch (e) {
  // a handled error is a result, not a crash: the parent rethrows it with its code
  reply({ ok: false, error: { code: (e as { code?: string }).code ?? 'TRAIN_FAILED', message: (e as Error).message ?? describeError(e) } });
}
