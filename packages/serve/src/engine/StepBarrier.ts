/**
 * Lines up the decode steps of concurrent requests so each llama_decode carries all of them.
 *
 * Why: node-llama-cpp's dispatch loop (`LlamaContext.dispatchPendingBatch`) runs inside the context
 * lock and starts the next decode as soon as the batch's samplings resolve. A sequence re-queues its
 * next token only after several promise hops through node-llama-cpp's generators, so the sequence
 * sampled last misses the next batch and rides the one after: measured, 4 streams decode as batches
 * of ~2.9. A custom `dispatchSchedule` cannot help, since the loop does not consult it.
 *
 * How: a request arrives here after it received a token and before it asks for the next one. While
 * any other request of the last released round is still waiting for its token, it waits too; when
 * the last one arrives, all waiting requests are released together on the next event-loop turn
 * (`setImmediate`: by then the dispatch loop has found its queue empty and left the lock), so they
 * all queue their tokens in one microtask run and node-llama-cpp's next dispatch takes them in one
 * batch. Requests still evaluating their prompt are not waited for (a long prompt would stall
 * everyone); they join the round after their first token. A request alone never waits.
 *
 * Order: a round is released in ascending `order` (the request's sequence id), because the order
 * the tokens are queued in is the order of the batch, and llama.cpp splits a batch for a
 * non-unified KV cache into micro-batches of *consecutive* increasing sequence ids
 * (`llama_batch_allocr::split_equal(sequential)`). Released in arrival order, 8 streams in an
 * order such as 3,0,5,1,… decoded as 3–5 micro-batches of 1–3 tokens each, so every weight was
 * read several times per step; in id order they decode as one micro-batch of 8.
 */
type State = 'prefill' | 'decoding' | 'waiting';

export interface StepBarrierStats {
  /** Rounds released. */
  rounds: number;
  /** Requests released, summed over rounds (÷ rounds = requests per coalesced step). */
  released: number;
}

export class StepBarrier {
  private readonly members = new Map<object, State>();
  private readonly order = new Map<object, number>();
  private readonly waiting = new Map<object, () => void>();
  private decoding = 0;
  private releaseScheduled = false;
  readonly stats: StepBarrierStats = { rounds: 0, released: 0 };

  /**
   * Registers a request that is about to evaluate its prompt; pass the handle to arrive/leave.
   * `order` is its sequence id: each round is released in ascending order (see above).
   */
  join(order = 0): object {
    const m = {};
    this.members.set(m, 'prefill');
    this.order.set(m, order);
    return m;
  }

  /** A request holds its new token. Resolves when it may queue the next one (at once if alone). */
  arrive(m: object): Promise<void> | undefined {
    const state = this.members.get(m);
    if (state === undefined || state === 'waiting') return undefined;
    if (state === 'decoding') this.decoding--;
    if (this.members.size === 1) {
      // Nothing to coalesce with: no wait, no extra event-loop turn (keeps single-stream latency).
      this.members.set(m, 'prefill');
      return undefined;
    }
    this.members.set(m, 'waiting');
    const p = new Promise<void>((resolve) => this.waiting.set(m, resolve));
    this.maybeRelease();
    return p;
  }

  /** The request ended (finished, failed or cancelled): nobody waits for it any more. */
  leave(m: object): void {
    const state = this.members.get(m);
    if (state === undefined) return;
    this.members.delete(m);
    this.order.delete(m);
    if (state === 'decoding') this.decoding--;
    const resolve = this.waiting.get(m);
    this.waiting.delete(m);
    resolve?.();
    this.maybeRelease();
  }

  private maybeRelease(): void {
    if (this.decoding > 0 || this.waiting.size === 0 || this.releaseScheduled) return;
    this.releaseScheduled = true;
    setImmediate(() => {
      this.releaseScheduled = false;
      // Requests that arrived from their prompt evaluation since the release was scheduled go too.
      const round = [...this.waiting].sort(([a], [b]) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
      this.waiting.clear();
      this.stats.rounds++;
      this.stats.released += round.length;
      for (const [m, resolve] of round) {
        this.members.set(m, 'decoding');
        this.decoding++;
        resolve();
      }
    });
  }
}
