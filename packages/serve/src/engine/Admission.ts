import { WaiterQueue } from '@puyu/core';
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
 * The queue itself is core's WaiterQueue (the one abortable FIFO the client's rate limiter uses too).
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
  /** Resolves with the sequence once granted; rejects if the ticket is refused while queued (set by admit). */
  granted!: Promise<S>;

  constructor(
    readonly prompt: readonly number[],
    private readonly owner: Admission<S>,
  ) {}

  /** Frees the sequence (granted) or leaves the queue (queued). Idempotent. */
  release(): void {
    this.owner.release(this);
  }

  /** @internal A sequence was free: granted at once. */
  grantNow(slot: S): void {
    this.state = 'granted';
    this.slot = slot;
    this.granted = Promise.resolve(slot);
  }

  /** @internal Waits in `queue`; state follows the outcome (refusal runs first of any reaction). */
  enqueue(queue: WaiterQueue<S, Ticket<S>>, signal: AbortSignal): void {
    this.granted = queue.wait(signal, this);
    // A ticket nobody awaits (a sibling choice that never started) must not become an unhandled rejection.
    this.granted.catch(() => {
      if (this.state === 'queued') this.state = 'refused';
    });
  }
}

export class Admission<S> {
  private readonly free: Set<S>;
  private readonly queue: WaiterQueue<S, Ticket<S>>;
  private drained?: Error;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly slots: readonly S[],
    private readonly opts: AdmissionOptions<S>,
  ) {
    this.free = new Set(slots);
    this.queue = new WaiterQueue<S, Ticket<S>>({ abortError: (signal) => opts.abortError(signal) });
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
        t.grantNow(slot);
      } else {
        t.enqueue(this.queue, signal);
      }
      return t;
    });
  }

  /** @internal (Ticket.release) */
  release(t: Ticket<S>): void {
    if (t.state === 'queued') {
      t.state = 'released';
      this.queue.remove(t, new Error('ticket released while queued'));
      return;
    }
    if (t.state !== 'granted') return;
    t.state = 'released';
    if (t.slot !== undefined) this.free.add(t.slot);
    t.slot = undefined;
    for (let next = this.queue.oldest; next !== undefined; next = this.queue.oldest) {
      const slot = this.bestFree(next.prompt);
      if (slot === undefined) break;
      this.free.delete(slot);
      next.state = 'granted';
      next.slot = slot;
      this.queue.grant(slot);
    }
    if (this.busy === 0) this.wakeIdle();
  }

  /** Closes admission: refuses every queued ticket and every later request with `error`. */
  drain(error: Error): void {
    this.drained ??= error;
    this.queue.rejectAll(error);
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
