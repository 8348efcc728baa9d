// Worker-thread entry of one data-parallel replica (dataParallel.ts): its own ggml CPU backend and
// copy of the model, fed a slice of each batch. It answers through shared memory, because the
// main thread waits for it with Atomics.wait inside the loop's synchronous lossAndGrads.
import { parentPort, workerData } from 'node:worker_threads';
import type { InternLM2Weights } from '@puyu/model';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { type ReplicaInit, type ReplicaStep, replicaViews, reportDone, reportError, STATE_BUSY } from './replicaProtocol.js';

const init = workerData as ReplicaInit;
const views = replicaViews(init);
const weights: InternLM2Weights = new Map(init.tensors.map((t) => [t.name, { shape: [...t.shape], data: views.weights(t.name) }]));
let model: GgmlInternLM2 | undefined;
// the main thread is blocked waiting for an answer: a thread that ends for any reason must give one
process.on('exit', () => {
  if (Atomics.load(views.control, 0) === STATE_BUSY) reportError(views, new Error('the replica thread exited mid-step'));
});
try {
  model = new GgmlInternLM2(init.config, weights, { threads: init.threads, trainable: true, precision: init.precision, autoBlas: true });
  reportDone(views, 0);
} catch (e) {
  reportError(views, e);
}

parentPort?.on('message', (msg: ReplicaStep | 'close') => {
  if (msg === 'close') {
    model?.free();
    model = undefined;
    parentPort?.close();
    return;
  }
  try {
    if (!model) throw new Error('the replica has no model (it failed to start)');
    if (msg.upload) model.params.upload(weights);
    const r = model.lossAndGrads(msg.rows, msg.targets, msg.weights, msg.docIds);
    for (const [name, g] of r.grads) views.grads(name).set(g.data);
    reportDone(views, r.loss);
  } catch (e) {
    reportError(views, e);
  }
});
