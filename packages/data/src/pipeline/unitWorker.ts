import { parentPort, workerData } from 'node:worker_threads';
import type { PipelineConfig } from './config.js';
import { runUnit } from './runUnit.js';

/** A worker thread: runs the units it is sent, one at a time, and posts their stats (or the error). */
const { cfg } = workerData as { cfg: PipelineConfig };
parentPort?.on('message', async (m: { unit: number; inputs: string[] } | 'exit') => {
  if (m === 'exit') {
    parentPort?.close();
    return;
  }
  try {
    const stats = await runUnit(cfg, m.unit, m.inputs, () => parentPort?.postMessage({ tick: 1 }));
    parentPort?.postMessage({ done: stats });
  } catch (e) {
    const err = e as Error & { code?: string };
    parentPort?.postMessage({ error: { message: err.message, code: err.code ?? 'INTERNAL_ERROR' } });
  }
});
