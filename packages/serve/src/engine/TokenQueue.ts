import type { FinishReason, GeneratedToken } from './Scheduler.js';

type Next = { item: GeneratedToken } | { finish: FinishReason } | { error: unknown };

/**
 * Tokens from a request's pump to its consumer: unbounded (at most max_tokens), one reader. The pump
 * runs ahead of the consumer so a slow client (a full socket) never holds back the decode steps of the others.
 */
export class TokenQueue {
  /** Set by the consumer when it stops reading; the pump ends at its next step. */
  stopped = false;
  private readonly items: Next[] = [];
  private wake?: () => void;

  push(item: GeneratedToken): void {
    this.put({ item });
  }
  end(finish: FinishReason): void {
    this.put({ finish });
  }
  fail(error: unknown): void {
    this.put({ error });
  }
  private put(n: Next): void {
    this.items.push(n);
    this.wake?.();
    this.wake = undefined;
  }
  async take(): Promise<Next> {
    while (this.items.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.items.shift() as Next;
  }
}
