import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError, EngineError } from '@puyu/core';
import type { InternLM2Config, InternLM2Weights } from '@puyu/model';
import type { PackedBatch } from '../data/PackedBatcher.js';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import type { TrainPrecision } from '../graph/precision.js';
import type { AdamW } from '../optim/AdamW.js';
import {
  awaitReplica,
  type ReplicaInit,
  type ReplicaMessage,
  type ReplicaPartJob,
  type ReplicaViews,
  replicaBuffers,
  replicaViews,
  STATE_BUSY,
} from './replicaProtocol.js';
import { adamwPart, clipScale, type FlatTensor, partOf, reduceGradsPart, sumSquaresPart } from './shardedOptimizer.js';
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
 *
 * The host work after the graphs (the gradient sum and AdamW) is split between the same threads,
 * each over its part of the parameters (shardedOptimizer.ts, `optimizerStep`); the clipping norm is
 * summed on this thread, in one copy's order, so a run gives the bits it gave before the split. So
 * the master weights, every thread's gradients and AdamW's moments live in shared buffers: the
 * trained tensors' `data` become views of the shared weights, and the optimizer's moments views of
 * shared moments on the first step (values kept, so a resumed run goes on exactly).
 */
export class DataParallelModel implements TrainModel<PackedBatch> {
  private readonly local: GgmlInternLM2;
  private readonly replicas: Replica[] = [];
  private readonly tensors: FlatTensor[];
  private readonly flat: { p: Float32Array; g: Float32Array; m: Float32Array; v: Float32Array };
  private readonly allGrads: SharedArrayBuffer[];
  private readonly gradViews: Float32Array[];
  /** The main thread's gradients, per tensor: where the sum of a step's gradients ends up. */
  private readonly localGrads: Map<string, Float32Array>;
  /** AdamW's moments as views of the shared ones, per tensor. */
  private readonly moments: { m: Map<string, Float32Array>; v: Map<string, Float32Array> };
  private readonly gradOrder: string[];

  constructor(
    readonly config: InternLM2Config,
    private readonly weights: InternLM2Weights,
    opts: { replicas: number; threads: number; precision: TrainPrecision },
  ) {
    if (!Number.isInteger(opts.replicas) || opts.replicas < 2)
      throw new ConfigError('TRAIN_BAD_REPLICAS', `data parallelism needs at least 2 replicas, not ${opts.replicas}.`);
    let offset = 0;
    const tensors = [...weights].map(([name, t]) => {
      const e = { name, shape: [...t.shape], offset, length: t.data.length };
      offset += t.data.length;
      return e;
    });
    this.tensors = tensors;
    const shared = () => new SharedArrayBuffer(offset * 4);
    const sharedWeights = shared();
    this.allGrads = Array.from({ length: opts.replicas }, shared);
    this.gradViews = this.allGrads.map((g) => new Float32Array(g));
    const [m, v] = [shared(), shared()];
    this.flat = {
      p: new Float32Array(sharedWeights),
      g: new Float32Array(this.allGrads[0] as SharedArrayBuffer),
      m: new Float32Array(m),
      v: new Float32Array(v),
    };
    // the trained tensors now live in the shared weights, where every thread's part of AdamW updates them
    for (const t of tensors) {
      const w = weights.get(t.name) as { data: Float32Array };
      const view = this.part('p', t);
      view.set(w.data);
      w.data = view;
    }
    this.localGrads = new Map(tensors.map((t) => [t.name, this.part('g', t)]));
    this.moments = {
      m: new Map(tensors.map((t) => [t.name, this.part('m', t)])),
      v: new Map(tensors.map((t) => [t.name, this.part('v', t)])),
    };
    this.local = new GgmlInternLM2(config, weights, { threads: opts.threads, trainable: true, precision: opts.precision, autoBlas: true });
    this.gradOrder = [...this.local.params.tensors.keys()];
    try {
      for (let rank = 1; rank < opts.replicas; rank++) {
        const init: ReplicaInit = {
          config,
          precision: opts.precision,
          threads: opts.threads,
          tensors,
          weights: sharedWeights,
          grads: this.allGrads[rank] as SharedArrayBuffer,
          allGrads: this.allGrads,
          m,
          v,
          rank,
          parts: opts.replicas,
          ...replicaBuffers(),
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

  /** The loss and the summed gradients, as views of a shared buffer that the next call overwrites. */
  lossAndGrads(b: LmBatch): { loss: number; grads: ReadonlyMap<string, { data: Float32Array }> } {
    const slices = sliceBatch(b, this.count);
    const total = slices.reduce((a, s) => a + s.weight, 0);
    const shares = slices.map((s) => s.weight / total);
    // slices with no loss weight (all padding) sit the step out: the loss refuses an empty slice
    const sent: { replica: Replica; share: number }[] = [];
    slices.slice(1).forEach((s, i) => {
      const replica = this.replicas[i] as Replica;
      if (s.weight === 0) return;
      dispatch(replica, { kind: 'step', rows: s.rows, targets: s.targets, weights: s.weights, docIds: s.docIds, upload: replica.stale });
      replica.stale = false;
      sent.push({ replica, share: s.weight / total });
    });
    const first = slices[0] as Slice;
    let loss = 0;
    let failure: unknown;
    try {
      if (first.weight > 0) {
        const into = (name: string) => this.localGrads.get(name) as Float32Array;
        loss =
          this.local.lossAndGrads(first.rows, first.targets, first.weights, first.docIds, undefined, into).loss * (shares[0] as number);
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
      }
    }
    if (failure) throw failure;
    this.inParts({ kind: 'reduce', shares }, (from, to) => reduceGradsPart(this.gradViews, shares, from, to));
    // in the order one copy's lossAndGrads gives them (its parameters' order), which the loop's norm follows
    return { loss, grads: new Map(this.gradOrder.map((name) => [name, { data: this.localGrads.get(name) as Float32Array }])) };
  }

  /**
   * Clipping and AdamW, each thread over its part of the parameters, then the new weights into
   * every copy. `grads` are the ones lossAndGrads returned (or a sum of several, copied in).
   */
  optimizerStep(o: { grads: ReadonlyMap<string, Float32Array>; adam: AdamW; lr: number; maxNorm: number }): number {
    for (const t of this.tensors) {
      const own = this.localGrads.get(t.name) as Float32Array;
      const g = o.grads.get(t.name);
      if (!g || g.length !== t.length)
        throw new EngineError('TRAIN_REPLICA_FAILED', `the optimizer step got no gradient of ${t.length} values for ${t.name}.`);
      if (g !== own) own.set(g);
      for (const [key, moments] of [['m', o.adam.m] as const, ['v', o.adam.v] as const]) {
        const view = this.moments[key].get(t.name) as Float32Array;
        const held = moments.get(t.name);
        if (held === view) continue;
        if (held) view.set(held);
        else view.fill(0);
        moments.set(t.name, view);
      }
    }
    // one thread, in the order of `grads` (the loop's clipGradNorm order): split, the sum would round
    // differently, the clip factor with it, and a run would no longer give the bits it gave before
    let sq = 0;
    for (const g of o.grads.values()) sq = sumSquaresPart(g, 0, g.length, sq);
    const norm = Math.sqrt(sq);
    const gradScale = clipScale(norm, o.maxNorm);
    const scalars = o.adam.beginStep(o.lr);
    const decays = this.tensors.map((t) => o.adam.decays(t.name));
    this.inParts({ kind: 'adam', scalars, decays, gradScale }, (from, to) =>
      adamwPart(this.tensors, decays, this.flat, from, to, scalars, gradScale),
    );
    this.upload();
    return norm;
  }

  /** Held-out loss runs on the calling thread alone: it is a few batches every `eval.every` steps. */
  loss(b: LmBatch): number {
    return this.local.loss(b.rows, b.targets, b.weights, b.docIds);
  }

  /** The weights are shared: this copy takes them now, the replicas at their next step. */
  upload(): void {
    this.local.params.upload(this.weights);
    for (const r of this.replicas) r.stale = true;
  }

  /** Runs one part of the host work on every thread at once (this thread's part is `mine`). */
  private inParts(job: ReplicaPartJob, mine: (from: number, to: number) => void): void {
    for (const r of this.replicas) dispatch(r, job);
    let failure: unknown;
    try {
      const { from, to } = partOf(this.flat.p.length, this.count, 0);
      mine(from, to);
    } catch (e) {
      failure = e;
    }
    // every replica is waited for, even when this thread failed, so none is left mid-part
    for (const r of this.replicas) {
      try {
        awaitReplica(r.views, REPLICA_TIMEOUT_MS);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
  }

  private part(key: 'p' | 'g' | 'm' | 'v', t: FlatTensor): Float32Array {
    return this.flat[key].subarray(t.offset, t.offset + t.length);
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

function dispatch(replica: Replica, msg: ReplicaMessage): void {
  Atomics.store(replica.views.control, 0, STATE_BUSY);
  replica.worker.postMessage(msg);
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
