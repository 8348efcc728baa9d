// Worker-thread entry of one data-parallel replica (dataParallel.ts): its own ggml CPU backend and
// copy of the model, fed a slice of each batch, and its part of the host work that follows
// (shardedOptimizer.ts). It answers through shared memory, because the main thread waits for it
// with Atomics.wait inside the loop's synchronous calls.
import { parentPort, workerData } from 'node:worker_threads';
import type { InternLM2Weights } from '@puyu/model';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { type ReplicaInit, type ReplicaMessage, replicaViews, reportDone, reportError, STATE_BUSY } from './replicaProtocol.js';
import { adamwPart, partOf, reduceGradsPart } from './shardedOptimizer.js';

const init = workerData as ReplicaInit;
const views = replicaViews(init);
const weights: InternLM2Weights = new Map(init.tensors.map((t) => [t.name, { shape: [...t.shape], data: views.weights(t.name) }]));
const total = init.tensors.reduce((n, t) => n + t.length, 0);
const part = partOf(total, init.parts, init.rank);
const flat = {
  p: new Float32Array(init.weights),
  g: new Float32Array(init.allGrads[0] as SharedArrayBuffer),
  m: new Float32Array(init.m),
  v: new Float32Array(init.v),
};
const allGrads = init.allGrads.map((b) => new Float32Array(b));
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

parentPort?.on('message', (msg: ReplicaMessage) => {
  if (msg === 'close') {
    model?.free();
    model = undefined;
    parentPort?.close();
    return;
  }
  try {
    switch (msg.kind) {
      case 'step': {
        if (!model) throw new Error('the replica has no model (it failed to start)');
        if (msg.upload) model.params.upload(weights);
        const r = model.lossAndGrads(msg.rows, msg.targets, msg.weights, msg.docIds, undefined, views.grads);
        reportDone(views, r.loss);
        return;
      }
      case 'reduce':
        reduceGradsPart(allGrads, msg.shares, part.from, part.to);
        return reportDone(views, 0);
      case 'adam':
        adamwPart(init.tensors, msg.decays, flat, part.from, part.to, msg.scalars, msg.gradScale);
        return reportDone(views, 0);
    }
  } catch (e) {
    reportError(views, e);
  }
});
