import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '@puyu/core';
import type { InternLM2Config, InternLM2Weights } from '@puyu/model';
import type { PackedBatch } from '../data/PackedBatcher.js';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import type { TrainPrecision } from '../graph/precision.js';
import {
  awaitReplica,
  type ReplicaInit,
  type ReplicaStep,
  type ReplicaViews,
  replicaBuffers,
  replicaViews,
  STATE_BUSY,
} from './replicaProtocol.js';
import type { TrainModel } from './trainLoop.js';

/** A backstop only: a replica that fails answers at once (replicaWorker.ts); this bounds one that hangs. */
const REPLICA_TIMEOUT_MS = 6 * 3600_000;

/** A masked LM batch; without `docIds` every row is one causal sequence (GgmlInternLM2's unpacked path). */
export type LmBatch = Omit<PackedBatch, 'docIds'> & { docIds?: Int32Array };

interface Replica {
  worker: Worker;
  views: ReplicaViews;
  /** The weights changed since this replica's last step. */
  stale: boolean;
}

/**
 * Data parallelism on one machine, as InternEvo and XTuner train across devices: `replicas` copies
 * of the model, each on its own thread with its own single-threaded ggml backend. Each step the
 * batch's rows are split into contiguous slices, every replica computes its slice's loss and
 * gradients at the same time, and the results are combined by each slice's share of the loss
 * weight: the same masked mean over the whole batch, up to float summation order.
 *
 * Why not ggml's own threads: on the quickstart's 1.3M-parameter model a step is ~500 small ops,
 * and ggml's per-op thread barrier costs more than the second core gives (2 threads: 85 → 93 ms a
 * step), while two replicas each run at single-thread speed (bench/train/README.md).
 * The first slice runs on the calling thread; the others on worker threads (replicaWorker.ts).
 */
export class DataParallelModel implements TrainModel<PackedBatch> {
  private readonly local: GgmlInternLM2;
  private readonly replicas: Replica[] = [];
  private readonly tensors: ReplicaInit['tensors'];
  private readonly sharedWeights: SharedArrayBuffer;

  constructor(
    readonly config: InternLM2Config,
    private readonly weights: InternLM2Weights,
    opts: { replicas: number; threads: number; precision: TrainPrecision },
  ) {
    if (!Number.isInteger(opts.replicas) || opts.replicas < 2)
      throw new ConfigError('TRAIN_BAD_REPLICAS', `data parallelism needs at least 2 replicas, not ${opts.replicas}.`);
    let offset = 0;
    this.tensors = [...weights].map(([name, t]) => {
      const e = { name, shape: [...t.shape], offset, length: t.data.length };
      offset += t.data.length;
      return e;
    });
    this.sharedWeights = new SharedArrayBuffer(offset * 4);
    this.local = new GgmlInternLM2(config, weights, { threads: opts.threads, trainable: true, precision: opts.precision, autoBlas: true });
    try {
      this.copyWeights();
      for (let i = 1; i < opts.replicas; i++) {
        const init: ReplicaInit = {
          config,
          precision: opts.precision,
          threads: opts.threads,
          tensors: this.tensors,
          ...replicaBuffers(this.tensors, this.sharedWeights),
        };
        const replica = { worker: startReplica(init), views: replicaViews(init), stale: false };
        this.replicas.push(replica);
        awaitReplica(replica.views, REPLICA_TIMEOUT_MS);
      }
    } catch (e) {
      this.free();
      throw e;
    }
  }

  get count(): number {
    return this.replicas.length + 1;
  }

  lossAndGrads(b: LmBatch): { loss: number; grads: ReadonlyMap<string, { data: Float32Array }> } {
    const slices = sliceBatch(b, this.count);
    const total = slices.reduce((a, s) => a + s.weight, 0);
    // slices with no loss weight (all padding) sit the step out: the loss refuses an empty slice
    const sent: { replica: Replica; share: number }[] = [];
    slices.slice(1).forEach((s, i) => {
      const replica = this.replicas[i] as Replica;
      if (s.weight === 0) return;
      Atomics.store(replica.views.control, 0, STATE_BUSY);
      const msg: ReplicaStep = { rows: s.rows, targets: s.targets, weights: s.weights, docIds: s.docIds, upload: replica.stale };
      replica.worker.postMessage(msg);
      replica.stale = false;
      sent.push({ replica, share: s.weight / total });
    });
    const first = slices[0] as Slice;
    let loss = 0;
    let grads: Map<string, { data: Float32Array }> | undefined;
    let failure: unknown;
    try {
      if (first.weight > 0) {
        const r = this.local.lossAndGrads(first.rows, first.targets, first.weights, first.docIds);
        const share = first.weight / total;
        loss = r.loss * share;
        grads = new Map();
        for (const [name, g] of r.grads) {
          for (let i = 0; i < g.data.length; i++) g.data[i] *= share;
          grads.set(name, { data: g.data });
        }
      }
    } catch (e) {
      failure = e;
    }
    // every replica that got work is waited for, even when this thread failed, so none is left mid-step
    for (const { replica, share } of sent) {
      try {
        loss += awaitReplica(replica.views, REPLICA_TIMEOUT_MS) * share;
      } catch (e) {
        failure ??= e;
        // it may have failed before taking the new weights: it takes them again next step
        replica.stale = true;
        continue;
      }
      if (failure) continue;
      grads ??= new Map(this.tensors.map((t) => [t.name, { data: new Float32Array(t.length) }]));
      for (const t of this.tensors) {
        const acc = (grads.get(t.name) as { data: Float32Array }).data;
        const g = replica.views.grads(t.name);
        for (let i = 0; i < acc.length; i++) acc[i] += (g[i] as number) * share;
      }
    }
    if (failure) throw failure;
    return { loss, grads: grads ?? new Map() };
  }

  /** Held-out loss runs on the calling thread alone: it is a few batches every `eval.every` steps. */
  loss(b: LmBatch): number {
    return this.local.loss(b.rows, b.targets, b.weights, b.docIds);
  }

  upload(): void {
    this.local.params.upload(this.weights);
    this.copyWeights();
    for (const r of this.replicas) r.stale = true;
  }

  private copyWeights(): void {
    const all = new Float32Array(this.sharedWeights);
    for (const t of this.tensors) all.set((this.weights.get(t.name) as { data: Float32Array }).data, t.offset);
  }

  free(): void {
    for (const r of this.replicas.splice(0)) {
      r.worker.postMessage('close');
      r.worker.unref();
    }
    this.local?.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

interface Slice {
  rows: number[][];
  targets: Int32Array;
  weights: Float32Array;
  docIds?: Int32Array;
  weight: number;
}

/** Splits a batch's rows into `n` contiguous slices as even as the rows allow (the first ones larger). */
export function sliceBatch(b: LmBatch, n: number): Slice[] {
  const B = b.rows.length;
  const T = b.rows[0]?.length ?? 0;
  const out: Slice[] = [];
  let row = 0;
  for (let k = 0; k < n; k++) {
    const count = Math.floor(B / n) + (k < B % n ? 1 : 0);
    const from = row * T;
    const to = (row + count) * T;
    const weights = b.weights.slice(from, to);
    out.push({
      rows: b.rows.slice(row, row + count),
      targets: b.targets.slice(from, to),
      weights,
      docIds: b.docIds?.slice(from, to),
      weight: weights.reduce((a, x) => a + x, 0),
    });
    row += count;
  }
  return out;
}

/**
 * Starts a replica's worker thread. Built code runs replicaWorker.js directly; under tsx (tests,
 * benches) the worker registers tsx itself first, since Node 20 does not hand a thread the main
 * thread's module hooks.
 */
function startReplica(init: ReplicaInit): Worker {
  const isTs = import.meta.url.endsWith('.ts');
  const entry = new URL(`./replicaWorker.${isTs ? 'ts' : 'js'}`, import.meta.url);
  if (!isTs) return new Worker(entry, { workerData: init });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData: init });
}
