import { EngineError } from '@puyu/core';
import { reviveError, serializeError } from '@puyu/ggml';
import type { InternLM2Config } from '@puyu/model';
import type { TrainPrecision } from '../graph/precision.js';
import type { AdamWStepScalars } from '../optim/AdamW.js';

/**
 * How the main thread and a data-parallel replica (replicaWorker.ts) talk. Work goes to the
 * replica as a message; the answer comes back in shared memory, because the main thread waits
 * for it with Atomics.wait inside the loop's synchronous `lossAndGrads` (a message to the main
 * thread would only be read once that call had returned).
 */
export interface ReplicaInit {
  config: InternLM2Config;
  precision: TrainPrecision;
  threads: number;
  /** Every trained tensor, in the order of the shared buffers. */
  tensors: { name: string; shape: readonly number[]; offset: number; length: number }[];
  /** The master weights, updated in place by the optimizer's parts (shared by every replica). */
  weights: SharedArrayBuffer;
  /** This replica's gradients, same layout. */
  grads: SharedArrayBuffer;
  /** Every thread's gradients, the main thread's first (where the sum goes); this replica's is `grads`. */
  allGrads: SharedArrayBuffer[];
  /** AdamW's moments, same layout (shared). */
  m: SharedArrayBuffer;
  v: SharedArrayBuffer;
  /** This replica's thread index (the main thread is 0) and the number of threads: its optimizer part. */
  rank: number;
  parts: number;
  /** [state, error length]: state 0 = busy, 1 = done, 2 = failed. */
  control: SharedArrayBuffer;
  /** The loss of the last step (float64). */
  loss: SharedArrayBuffer;
  /** A failed step's error, as JSON (serializeError). */
  error: SharedArrayBuffer;
}

/** One slice of a batch for a replica; `upload`: the weights changed since its last step. */
export interface ReplicaStep {
  kind: 'step';
  rows: number[][];
  targets: Int32Array;
  weights: Float32Array;
  docIds?: Int32Array;
  upload: boolean;
}

/**
 * The replica's part of the host work after a step (shardedOptimizer.ts): `reduce` sums every
 * thread's gradients into the main thread's buffer; `adam` updates its part of the weights and
 * moments.
 */
export type ReplicaPartJob =
  | { kind: 'reduce'; shares: number[] }
  | { kind: 'adam'; scalars: AdamWStepScalars; decays: boolean[]; gradScale: number };

export type ReplicaMessage = ReplicaStep | ReplicaPartJob | 'close';

export const STATE_BUSY = 0;
export const STATE_DONE = 1;
export const STATE_FAILED = 2;
const ERROR_BYTES = 8192;

export interface ReplicaViews {
  control: Int32Array;
  loss: Float64Array;
  error: Uint8Array;
  weights(name: string): Float32Array;
  grads(name: string): Float32Array;
}

/** One replica's own buffers: how it answers (its gradients are allocated with everyone's). */
export function replicaBuffers(): Pick<ReplicaInit, 'control' | 'loss' | 'error'> {
  return {
    control: new SharedArrayBuffer(8),
    loss: new SharedArrayBuffer(8),
    error: new SharedArrayBuffer(ERROR_BYTES),
  };
}

export function replicaViews(init: Pick<ReplicaInit, 'tensors' | 'weights' | 'grads' | 'control' | 'loss' | 'error'>): ReplicaViews {
  const at = new Map(init.tensors.map((t) => [t.name, t]));
  const view = (buf: SharedArrayBuffer, name: string) => {
    const t = at.get(name);
    if (!t) throw new EngineError('TRAIN_REPLICA_FAILED', `a replica has no tensor ${name}.`);
    return new Float32Array(buf, t.offset * 4, t.length);
  };
  return {
    control: new Int32Array(init.control),
    loss: new Float64Array(init.loss),
    error: new Uint8Array(init.error),
    weights: (name) => view(init.weights, name),
    grads: (name) => view(init.grads, name),
  };
}

/** Replica side: the step (or start-up) succeeded. */
export function reportDone(v: ReplicaViews, loss: number): void {
  v.loss[0] = loss;
  Atomics.store(v.control, 0, STATE_DONE);
  Atomics.notify(v.control, 0);
}

/** Replica side: the step failed; the error goes back as JSON, cut to the buffer's size. */
export function reportError(v: ReplicaViews, e: unknown): void {
  const bytes = new TextEncoder().encode(JSON.stringify(serializeError(e)));
  const n = bytes.length <= v.error.length ? bytes.length : 0;
  v.error.set(bytes.subarray(0, n));
  Atomics.store(v.control, 1, n);
  Atomics.store(v.control, 0, STATE_FAILED);
  Atomics.notify(v.control, 0);
}

/**
 * Main side: blocks until the replica answers, then returns its loss or throws its error as the
 * same class and code. `timeoutMs` bounds a replica that died without answering.
 */
export function awaitReplica(v: ReplicaViews, timeoutMs: number): number {
  const r = Atomics.wait(v.control, 0, STATE_BUSY, timeoutMs);
  const state = Atomics.load(v.control, 0);
  if (state === STATE_DONE) return v.loss[0] as number;
  if (state === STATE_FAILED) {
    const n = Atomics.load(v.control, 1);
    // a shared buffer cannot be decoded in place
    const text = new TextDecoder().decode(v.error.slice(0, n));
    if (!text) throw new EngineError('TRAIN_REPLICA_FAILED', 'a data-parallel replica failed (its error was too long to report).');
    throw reviveError(JSON.parse(text), [], 'TRAIN_REPLICA_FAILED');
  }
  throw new EngineError(
    'TRAIN_REPLICA_FAILED',
    `a data-parallel replica did not answer within ${Math.round(timeoutMs / 1000)} s (${r}); set train.replicas to 1 to train without replicas.`,
  );
}
