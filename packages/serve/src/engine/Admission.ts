import { ServeError } from '../ServeError.js';

/**
 * Who gets the N sequences of the context, decided when a request arrives.
 *
 * Why a separate step: a streaming response commits to `200` with its first byte. Admission is
 * therefore decided synchronously, before any response exists: a request gets one ticket per
 * generation it needs (`n` choices × prompts), all or none, or is refused with a plain 429 (queue
 * full), 503 (draining) or 400 (it could never fit). A stream then waits for its first ticket's
 * sequence before sending headers, so a request that waited in the queue and was refused there (drain,
 * timeout) still gets a real status.
 *
 * A ticket moves   queued ──grant──▶ granted ──release──▶ released
 *                  queued ──abort / drain──▶ refused        queued ──release──▶ released
 * Freed sequences go to the oldest queued ticket (FIFO), which takes the free sequence whose cache
 * best matches its prompt (`score`), so prefix reuse never reorders the queue. Invariant: while a
 * ticket is queued no sequence is free. `drain()` closes admission: new requests and every queued
 * ticket are refused with the given error; granted tickets keep their sequence until released.
 */
export type TicketState = 'queued' | 'granted' | 'released' | 'refused';

export interface AdmissionOptions<S> {
  /** Tickets allowed to wait for a sequence; past this, 429. */
  maxQueue: number;
  /** How well a free slot suits a prompt: longer common prefix first, then less cached (keeps long caches for prompts that share them). */
  score(slot: S, prompt: readonly number[]): { prefix: number; cached: number };
  /** The error a queued ticket is refused with when its request's signal fires (counts it in the metrics). */
  abortError(signal: AbortSignal): Error;
  /** Called when a request is refused because the queue is full (metrics). */
  onRejected?(): void;
}

export class Ticket<S> {
  state: TicketState = 'queued';
  slot?: S;
  /** Resolves with the sequence once granted; rejects if the ticket is refused while queued. */
  readonly granted: Promise<S>;
  private settle!: { resolve: (s: S) => void; reject: (e: unknown) => void };
  private detach?: () => void;

  constructor(
    readonly prompt: readonly number[],
    private readonly owner: Admission<S>,
  ) {
    this.granted = new Promise<S>((resolve, reject) => (this.settle = { resolve, reject }));
    // A ticket nobody awaits (a sibling choice that never started) must not become an unhandled rejection.
    this.granted.catch(() => undefined);
  }

  /** Frees the sequence (granted) or leaves the queue (queued). Idempotent. */
  release(): void {
    this.owner.release(this);
  }

  /** @internal */
  grant(slot: S): void {
    this.state = 'granted';
    this.slot = slot;
    this.detach?.();
    this.settle.resolve(slot);
  }

  /** @internal */
  refuse(e: unknown): void {
    this.state = 'refused';
    this.detach?.();
    this.settle.reject(e);
  }

  /** @internal */
  watch(signal: AbortSignal, onAbort: () => void): void {
    signal.addEventListener('abort', onAbort, { once: true });
    this.detach = () => signal.removeEventListener('abort', onAbort);
  }
}

export class Admission<S> {
  private readonly free: Set<S>;
  private readonly queue: Ticket<S>[] = [];
  private drained?: Error;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly slots: readonly S[],
    private readonly opts: AdmissionOptions<S>,
  ) {
    this.free = new Set(slots);
  }

  get busy(): number {
    return this.slots.length - this.free.size;
  }

  get queued(): number {
    return this.queue.length;
  }

  get draining(): boolean {
    return this.drained !== undefined;
  }

  /** One ticket per prompt, all admitted or none (throws 429 / 503 / 400). */
  admit(prompts: readonly (readonly number[])[], signal: AbortSignal): Ticket<S>[] {
    if (this.drained) throw this.drained;
    if (signal.aborted) throw this.opts.abortError(signal);
    const capacity = this.slots.length + this.opts.maxQueue;
    if (prompts.length > capacity) {
      throw new ServeError(
        'SERVE_TOO_MANY_CHOICES',
        `the request needs ${prompts.length} generations (n × prompts) but this server holds at most ${capacity} at once (${this.slots.length} sequences + ${this.opts.maxQueue} queued); lower n or send fewer prompts per request.`,
        { param: 'n' },
      );
    }
    const mustWait = Math.max(0, prompts.length - this.free.size);
    if (mustWait > 0 && this.queue.length + mustWait > this.opts.maxQueue) {
      this.opts.onRejected?.();
      throw new ServeError(
        'SERVE_OVERLOADED',
        `all ${this.slots.length} sequences are busy and ${this.queue.length} requests are queued; retry later.`,
        { status: 429, type: 'rate_limit_error', retryAfter: 1 },
      );
    }
    return prompts.map((prompt) => {
      const t = new Ticket(prompt, this);
      const slot = this.bestFree(prompt);
      if (slot !== undefined) {
        this.free.delete(slot);
        t.grant(slot);
      } else {
        this.queue.push(t);
        t.watch(signal, () => this.leaveQueue(t, this.opts.abortError(signal)));
      }
      return t;
    });
  }

  /** @internal (Ticket.release) */
  release(t: Ticket<S>): void {
    if (t.state === 'queued') {
      this.leaveQueue(t, new Error('ticket released while queued'));
      t.state = 'released';
      return;
    }
    if (t.state !== 'granted') return;
    t.state = 'released';
    if (t.slot !== undefined) this.free.add(t.slot);
    t.slot = undefined;
    while (this.queue.length > 0) {
      const slot = this.bestFree(this.queue[0].prompt);
      if (slot === undefined) break;
      this.free.delete(slot);
      this.queue.shift()?.grant(slot);
    }
    if (this.busy === 0) this.wakeIdle();
  }

  /** Closes admission: refuses every queued ticket and every later request with `error`. */
  drain(error: Error): void {
    this.drained ??= error;
    for (const t of this.queue.splice(0)) t.refuse(error);
  }

  /** Resolves once no sequence is held. */
  idle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of w) resolve();
  }

  private leaveQueue(t: Ticket<S>, e: unknown): void {
    const i = this.queue.indexOf(t);
    if (i < 0) return;
    this.queue.splice(i, 1);
    t.refuse(e);
  }

  private bestFree(prompt: readonly number[]): S | undefined {
    let best: S | undefined;
    let bestScore = { prefix: -1, cached: 0 };
    for (const s of this.slots) {
      if (!this.free.has(s)) continue;
      const sc = this.opts.score(s, prompt);
      if (sc.prefix > bestScore.prefix || (sc.prefix === bestScore.prefix && sc.cached < bestScore.cached)) {
        best = s;
        bestScore = sc;
      }
    }
    return best;
  }
}
