import { acquireLock, withLock } from 'lifecycle-utils';
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { BatchStats } from './Engine.js';

/**
 * Decode steps driven straight through node-llama-cpp's native context, the way llama-server's loop
 * drives llama.cpp: each step puts the next tokens of every running request into one batch, decodes
 * it once and samples each request's token, with nothing in between.
 *
 * Why: node-llama-cpp's `sequence.evaluate` generator spends about half a millisecond of JavaScript
 * per token (locks, its batch queue, token meter, checkpoints, generator hops). On the bench's
 * 25M-parameter model that is a sixth of a token's time: `npm run bench:serve -- --peers
 * puyu,puyu-generator,llama-server,raw` measured our server at 1.06–1.08× its generator-driven self
 * (`puyu-generator`) at 1, 4, 8 and 16 streams (bench/serve/README.md). On a model whose tokens cost
 * tens of milliseconds the difference vanishes.
 *
 * What it touches is node-llama-cpp's private surface (3.21.1, pinned): the native context `_ctx`
 * (`initBatch`, `addToBatch`, `decodeBatch`, `sampleToken`), the native sampler class, a sequence's
 * id, lock and token bookkeeping (`_sequenceId`, `_lock`, `_nextTokenIndex`, `_contextTokens`), and
 * the locks of `lifecycle-utils` (the same module instance node-llama-cpp uses: npm dedupes it). It
 * takes the same locks node-llama-cpp takes: `[context, "context"]` around each batch (so no
 * node-llama-cpp dispatch, erase or shift touches the native context meanwhile) and
 * `[sequence._lock, "evaluate"]` for a whole generation. It keeps the sequence's bookkeeping as
 * `evaluate` does, so prefix reuse and later `evaluate` calls see the true KV contents.
 * `DirectDecoder.create` checks that surface and returns why it cannot run; the scheduler then uses
 * node-llama-cpp's generator as before.
 *
 * Used for requests without grammar, logprobs or penalties (the scheduler decides); those take
 * node-llama-cpp's generator, which implements them.
 */
export interface DirectSampling {
  temperature?: number;
  topK?: number;
  topP?: number;
  minP?: number;
  seed?: number;
}

/** One request's generation on one sequence; `close` it when done (frees its sampler and lock). */
export interface DirectRun {
  /**
   * Appends `tokens` (≤ the context's batch size) to the sequence in the next decode step and
   * resolves with the token sampled after the last of them (undefined when the sampler chose none).
   */
  step(tokens: readonly Token[]): Promise<Token | undefined>;
  close(): void;
}

interface NativeContext {
  initBatch(size: number): void;
  addToBatch(sequenceId: number, firstTokenIndex: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  sampleToken(batchLogitIndex: number, sampler: NativeSampler): Promise<number>;
  disposeSequence(sequenceId: number): boolean;
}
interface NativeSampler {
  applyConfig(config: object): void;
  dispose(): void;
}
interface SequenceInternals {
  _sequenceId: number;
  _lock: object;
  _nextTokenIndex: number;
  _contextTokens: Token[];
  _tokenPredictor?: unknown;
  _loadedTokenPredictions: unknown[];
  needsCheckpoints: boolean;
  _resolveSamplerConfig(o: DirectSampling): object;
}
interface ModelInternals {
  _model: unknown;
  _llama: { _bindings: { AddonSampler: new (model: unknown) => NativeSampler } };
}

interface Pending {
  seq: LlamaContextSequence & SequenceInternals;
  tokens: readonly Token[];
  sampler: NativeSampler;
  resolve(token: Token | undefined): void;
  reject(e: unknown): void;
  /** A full batch left it out once: it goes first in the next. */
  turnedAway: boolean;
}

export class DirectDecoder {
  /** Decode steps run, and the generations they carried, summed (÷ steps = requests per step). */
  readonly stats = { steps: 0, items: 0 };
  private pending: Pending[] = [];
  private open = 0;
  private running = false;
  private scheduled = false;

  private constructor(
    private readonly context: LlamaContext,
    private readonly native: NativeContext,
    private readonly model: LlamaModel & ModelInternals,
    private readonly batchStats: BatchStats,
  ) {}

  /** A decoder over `context`, or why this node-llama-cpp build cannot host one. */
  static create(context: LlamaContext, model: LlamaModel, stats: BatchStats): DirectDecoder | { unavailable: string } {
    const native = (context as unknown as { _ctx?: Partial<NativeContext> })._ctx;
    for (const m of ['initBatch', 'addToBatch', 'decodeBatch', 'sampleToken', 'disposeSequence'] as const)
      if (typeof native?.[m] !== 'function') return { unavailable: `node-llama-cpp's native context has no ${m}()` };
    const Sampler = (model as unknown as Partial<ModelInternals>)._llama?._bindings?.AddonSampler;
    if (typeof Sampler !== 'function') return { unavailable: "node-llama-cpp's bindings have no AddonSampler" };
    return new DirectDecoder(context, native as NativeContext, model as LlamaModel & ModelInternals, stats);
  }

  /** Why `seq` cannot be driven directly (a model needing KV checkpoints, a token predictor), or undefined. */
  static unsupported(seq: LlamaContextSequence): string | undefined {
    const s = seq as unknown as Partial<SequenceInternals>;
    if (typeof s._sequenceId !== 'number' || typeof s._nextTokenIndex !== 'number' || !Array.isArray(s._contextTokens))
      return "node-llama-cpp's sequence has no _sequenceId/_nextTokenIndex/_contextTokens";
    if (typeof s._lock !== 'object' || typeof s._resolveSamplerConfig !== 'function') return "node-llama-cpp's sequence has no _lock";
    if (s.needsCheckpoints) return 'the model needs KV checkpoints (hybrid, recurrent or sliding-window)';
    if (s._tokenPredictor != null || (s._loadedTokenPredictions?.length ?? 0) > 0) return 'the sequence has a token predictor';
    return undefined;
  }

  /** Starts a generation on `seq`: waits for the sequence's evaluate lock and builds its sampler. */
  async start(sequence: LlamaContextSequence, sampling: DirectSampling): Promise<DirectRun> {
    const seq = sequence as LlamaContextSequence & SequenceInternals;
    const lock = await acquireLock([seq._lock, 'evaluate']);
    let sampler: NativeSampler;
    try {
      sampler = new this.model._llama._bindings.AddonSampler(this.model._model);
      // node-llama-cpp's own resolution: its defaults, seed handling and empty token biases
      sampler.applyConfig(seq._resolveSamplerConfig(sampling));
    } catch (e) {
      lock.dispose();
      throw e;
    }
    this.open++;
    let closed = false;
    return {
      step: (tokens) =>
        new Promise<Token | undefined>((resolve, reject) => {
          if (closed) return reject(new Error('DirectRun.step after close'));
          this.pending.push({ seq, tokens, sampler, resolve, reject, turnedAway: false });
          this.schedule();
        }),
      close: () => {
        if (closed) return;
        closed = true;
        this.open--;
        sampler.dispose();
        lock.dispose();
        this.schedule(); // the others may now all be waiting
      },
    };
  }

  /**
   * A step starts once every open run has its tokens in, or on the next event-loop turn, whichever
   * comes first: runs re-submit in the microtasks after their previous step resolves, so the turn
   * gathers them all, and a run that is busy elsewhere (its client, a prefill) never holds the others.
   */
  private schedule(): void {
    if (this.running || this.pending.length === 0) return;
    if (this.pending.length >= this.open) {
      this.scheduled = false;
      void this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        if (!this.scheduled) return;
        this.scheduled = false;
        if (!this.running) void this.flush();
      });
    }
  }

  private async flush(): Promise<void> {
    this.running = true;
    // What fits in one batch: first whatever a full batch turned away last step (a prompt chunk that did
    // not fit beside the running streams' tokens would otherwise wait for them all to finish), then
    // the rest. Each item is at most one batch, so turned-away items go in the order they came.
    const size = this.context.batchSize;
    const batch: Pending[] = [];
    let total = 0;
    for (const p of [...this.pending].sort((a, b) => Number(b.turnedAway) - Number(a.turnedAway))) {
      if (batch.length > 0 && total + p.tokens.length > size) {
        p.turnedAway = true;
        continue;
      }
      batch.push(p);
      total += p.tokens.length;
    }
    this.pending = this.pending.filter((p) => !batch.includes(p));
    // Ascending sequence id: llama.cpp splits a batch for a non-unified KV cache into micro-batches of
    // consecutive increasing ids, so any other order re-reads every weight per micro-batch (StepBarrier).
    batch.sort((a, b) => a.seq._sequenceId - b.seq._sequenceId);
    try {
      const tokens = await withLock([this.context, 'context'], () => this.decodeAndSample(batch, total));
      for (const [i, p] of batch.entries()) p.resolve(tokens[i]);
    } catch (e) {
      for (const p of batch) p.reject(e);
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private async decodeAndSample(batch: readonly Pending[], total: number): Promise<(Token | undefined)[]> {
    const { native } = this;
    native.initBatch(total);
    const logitIndexes: number[] = [];
    for (const p of batch) {
      if (p.tokens.length === 0) throw new RangeError('a decode step needs at least one token');
      const at = native.addToBatch(
        p.seq._sequenceId,
        p.seq._nextTokenIndex,
        Uint32Array.from(p.tokens),
        Uint32Array.of(p.tokens.length - 1),
      );
      logitIndexes.push(at[0] as number);
    }
    this.batchStats.batches++;
    this.batchStats.items += batch.length;
    this.batchStats.maxItems = Math.max(this.batchStats.maxItems, batch.length);
    this.stats.steps++;
    this.stats.items += batch.length;
    try {
      await native.decodeBatch();
    } catch (e) {
      // The KV cache may hold part of the batch: start these sequences over rather than let their
      // bookkeeping and the cache disagree (the next request re-evaluates its whole prompt).
      for (const p of batch) forget(native, p.seq);
      throw e;
    }
    for (const p of batch) {
      p.seq._nextTokenIndex += p.tokens.length;
      // in place: node-llama-cpp's getter hands out copies, and a copy per token would be quadratic
      for (const t of p.tokens) p.seq._contextTokens.push(t);
    }
    // All samplings at once on libuv's pool (each request has its own sampler); Engine's reorder
    // guard runs the first alone, as it does for node-llama-cpp's own dispatch.
    const chosen = await Promise.all(batch.map((p, i) => native.sampleToken(logitIndexes[i] as number, p.sampler)));
    return chosen.map((t) => (t < 0 ? undefined : (t as Token)));
  }
}

function forget(native: NativeContext, seq: SequenceInternals): void {
  native.disposeSequence(seq._sequenceId);
  seq._contextTokens = [];
  seq._nextTokenIndex = 0;
}
