import { type LlamaContextSequence, type LlamaGrammar, LlamaGrammarEvaluationState, type Token } from 'node-llama-cpp';
import type { Metrics } from '../Metrics.js';
import { ServeError } from '../ServeError.js';
import { commonPrefixLength } from './commonPrefixLength.js';
import type { Engine } from './Engine.js';
import { StepBarrier } from './StepBarrier.js';

export interface SamplingOptions {
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  minP?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  grammar?: LlamaGrammar;
  /** Tokens that end generation without being yielded (beyond the model's end-of-generation tokens). */
  stopTokens?: readonly Token[];
  /**
   * Do not end on an end-of-generation token: it is yielded like any other and generation goes on
   * (vLLM's `ignore_eos`; benchmarks need fixed lengths). node-llama-cpp ignores a "never" bias
   * on EOS/EOT, so the token cannot simply be banned.
   */
  ignoreEos?: boolean;
  /** Report the chosen token's log-probability, and this many alternatives (0 = just the chosen one). */
  logprobs?: number;
}

export interface GeneratedToken {
  token: Token;
  logprob?: number;
  top?: { token: Token; logprob: number }[];
}

export type FinishReason = 'stop' | 'length';

export interface SchedulerOptions {
  /** Requests allowed to wait for a sequence; past this they get 429 (default 64). */
  maxQueue?: number;
  /** Per-request limit in ms, from admission to the last token (default 600 000). */
  timeoutMs?: number;
  /**
   * Line up the decode steps of concurrent requests so every decode carries all of them (default
   * true; see StepBarrier). false leaves batching to node-llama-cpp's own dispatch loop.
   */
  coalesceSteps?: boolean;
}

interface Slot {
  seq: LlamaContextSequence;
  busy: boolean;
}

interface Waiter {
  prompt: readonly Token[];
  resolve: (slot: Slot) => void;
  reject: (e: unknown) => void;
}

/**
 * Continuous batching over the N sequences of one context. A request holds one sequence from
 * admission to its last token; node-llama-cpp gathers the pending evaluations of all sequences
 * into one decode per cycle, so requests join and leave the running batch between decode steps.
 *
 * Prefix reuse: a sequence keeps its KV cache after its request ends; a new request takes the free
 * sequence whose cached tokens share the longest prefix with its prompt, erases the rest, and
 * evaluates only the new suffix (as llama-server's `cache_prompt` slot selection).
 */
export class Scheduler {
  private readonly slots: Slot[];
  private readonly waiters: Waiter[] = [];
  private readonly maxQueue: number;
  readonly timeoutMs: number;
  /** Lines up decode steps across requests (absent when `coalesceSteps` is false). */
  readonly barrier?: StepBarrier;

  constructor(
    readonly engine: Engine,
    readonly metrics: Metrics,
    opts: SchedulerOptions = {},
  ) {
    this.slots = engine.sequences.map((seq) => ({ seq, busy: false }));
    this.maxQueue = opts.maxQueue ?? 64;
    this.timeoutMs = opts.timeoutMs ?? 600_000;
    if (opts.coalesceSteps !== false) this.barrier = new StepBarrier();
  }

  get activeSequences(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  get totalSequences(): number {
    return this.slots.length;
  }

  get queueDepth(): number {
    return this.waiters.length;
  }

  /** A signal that fires on client abort or when the per-request timeout passes. */
  requestSignal(client?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return client ? AbortSignal.any([client, timeout]) : timeout;
  }

  /**
   * Generates tokens for `prompt`. Stopping iteration early (break / return) releases the sequence
   * as soon as its decode in flight (if any) ends; so does `signal` firing, checked after every
   * decode step. Returns why it ended.
   *
   * Tokens are produced by a pump that runs ahead of the consumer: a slow client (a full socket)
   * never holds back the decode steps of the others, which the step barrier lines up.
   */
  async *generate(prompt: readonly Token[], opts: SamplingOptions, signal: AbortSignal): AsyncGenerator<GeneratedToken, FinishReason> {
    const admitted = performance.now();
    const slot = await this.acquire(prompt, signal);
    const queue = new TokenQueue();
    let pumping: Promise<void> | undefined;
    try {
      const seq = slot.seq;
      const reused = await this.alignPrefix(seq, prompt);
      this.metrics.promptTokens += prompt.length;
      this.metrics.prefixReusedTokens += reused;
      const maxTokens = Math.min(opts.maxTokens, this.engine.contextSize - prompt.length);
      if (maxTokens <= 0) return 'length';
      pumping = this.pump(seq, prompt.slice(reused) as Token[], { ...opts, maxTokens }, signal, admitted, queue);
      for (;;) {
        const next = await queue.take();
        if ('item' in next) yield next.item;
        else if ('error' in next) throw next.error;
        else return next.finish;
      }
    } finally {
      queue.stopped = true;
      // The sequence is free only once its iterator has returned (after the decode in flight).
      await pumping;
      this.metrics.e2e.observe((performance.now() - admitted) / 1000);
      this.release(slot);
    }
  }

  /** Runs node-llama-cpp's generator for one request, putting tokens, the end or an error into `queue`. */
  private async pump(
    seq: LlamaContextSequence,
    input: Token[],
    opts: SamplingOptions,
    signal: AbortSignal,
    admitted: number,
    queue: TokenQueue,
  ): Promise<void> {
    const member = this.barrier?.join();
    try {
      const generated: Token[] = [];
      const penalize = (opts.presencePenalty ?? 0) !== 0 || (opts.frequencyPenalty ?? 0) !== 0;
      const stops = new Set(opts.stopTokens ?? []);
      const wantLogprobs = opts.logprobs !== undefined;
      const it = seq.evaluateWithMetadata(
        input,
        { confidence: wantLogprobs, probabilities: (opts.logprobs ?? 0) > 0 },
        {
          temperature: opts.temperature,
          // node-llama-cpp defaults to top-k 40 / top-p 0.95; OpenAI's defaults are "off".
          topP: opts.topP ?? 1,
          topK: opts.topK ?? 0,
          minP: opts.minP,
          seed: opts.seed,
          repeatPenalty: penalize
            ? {
                punishTokens: () => generated,
                penalty: 1,
                presencePenalty: opts.presencePenalty,
                frequencyPenalty: opts.frequencyPenalty,
              }
            : undefined,
          yieldEogToken: opts.ignoreEos === true,
          grammarEvaluationState: opts.grammar
            ? new LlamaGrammarEvaluationState({ model: this.engine.model, grammar: opts.grammar })
            : undefined,
        },
      );
      let last = admitted;
      // Leaving the loop (return) calls the generator's return(), which ends node-llama-cpp's evaluation.
      for await (const out of it) {
        if (queue.stopped) return;
        throwIfAborted(signal, this.metrics);
        const now = performance.now();
        if (generated.length === 0) this.metrics.ttft.observe((now - admitted) / 1000);
        else this.metrics.interToken.observe((now - last) / 1000);
        last = now;
        if (stops.has(out.token)) return queue.end('stop');
        generated.push(out.token);
        this.metrics.generatedTokens++;
        const o = out as { token: Token; confidence?: number; probabilities?: Map<Token, number> };
        const item: GeneratedToken = { token: out.token };
        if (wantLogprobs) item.logprob = Math.log(Math.max(o.confidence ?? 0, Number.MIN_VALUE));
        if (o.probabilities && opts.logprobs) item.top = topLogprobs(o.probabilities, opts.logprobs);
        queue.push(item);
        if (generated.length >= opts.maxTokens) return queue.end('length');
        if (member) await this.barrier?.arrive(member);
        if (queue.stopped) return;
      }
      // The iterator ends by itself only on an end-of-generation token (EOS, <|im_end|>).
      throwIfAborted(signal, this.metrics);
      queue.end('stop');
    } catch (e) {
      queue.fail(e);
    } finally {
      if (member) this.barrier?.leave(member);
    }
  }

  /**
   * Log-probabilities of every prompt token given the tokens before it (OpenAI `echo` +
   * `logprobs`, used for perplexity). The first token has none. The sequence is evaluated from
   * scratch, since a reused prefix would have no logits to read.
   */
  async promptLogprobs(
    prompt: readonly Token[],
    topN: number,
    signal: AbortSignal,
  ): Promise<{ logprob: number | null; top: { token: Token; logprob: number }[] | null }[]> {
    const slot = await this.acquire(prompt, signal);
    try {
      const seq = slot.seq;
      if (seq.nextTokenIndex > 0) await seq.eraseContextTokenRanges([{ start: 0, end: seq.nextTokenIndex }]);
      this.metrics.promptTokens += prompt.length;
      const out: { logprob: number | null; top: { token: Token; logprob: number }[] | null }[] = [{ logprob: null, top: null }];
      // Chunks bound memory: each position's full-vocabulary map is read and dropped per chunk.
      const CHUNK = 32;
      for (let start = 0; start < prompt.length - 1; start += CHUNK) {
        throwIfAborted(signal, this.metrics);
        const end = Math.min(start + CHUNK, prompt.length - 1);
        const items = prompt.slice(start, end).map((t) => [t, { generateNext: { probabilities: true } }] as [Token, object]);
        const res = await seq.controlledEvaluate(items as never);
        for (let i = start; i < end; i++) {
          const probs = res[i - start]?.next.probabilities;
          const p = probs?.get(prompt[i + 1]) ?? 0;
          out.push({ logprob: Math.log(Math.max(p, Number.MIN_VALUE)), top: probs && topN > 0 ? topLogprobs(probs, topN) : null });
        }
      }
      return out;
    } finally {
      this.release(slot);
    }
  }

  /** Erases what the sequence caches beyond the longest prefix it shares with `prompt`; returns the kept length. */
  private async alignPrefix(seq: LlamaContextSequence, prompt: readonly Token[]): Promise<number> {
    // At least one prompt token must be evaluated to get logits for the first new token.
    const keep = Math.min(commonPrefixLength(seq.contextTokens, prompt), prompt.length - 1);
    if (seq.nextTokenIndex > keep) await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }]);
    return keep;
  }

  private acquire(prompt: readonly Token[], signal: AbortSignal): Promise<Slot> {
    throwIfAborted(signal, this.metrics);
    const free = this.bestFreeSlot(prompt);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    if (this.waiters.length >= this.maxQueue) {
      this.metrics.rejected++;
      throw new ServeError(
        'SERVE_OVERLOADED',
        `all ${this.slots.length} sequences are busy and ${this.waiters.length} requests are queued; retry later.`,
        {
          status: 429,
          type: 'rate_limit_error',
          retryAfter: 1,
        },
      );
    }
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = { prompt, resolve, reject };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        try {
          throwIfAborted(signal, this.metrics);
        } catch (e) {
          reject(e);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      waiter.resolve = (slot) => {
        signal.removeEventListener('abort', onAbort);
        resolve(slot);
      };
      this.waiters.push(waiter);
    });
  }

  private release(slot: Slot): void {
    slot.busy = false;
    // FIFO: the oldest waiter gets the free sequence that best matches its prompt.
    while (this.waiters.length > 0) {
      const free = this.bestFreeSlot(this.waiters[0].prompt);
      if (!free) return;
      const w = this.waiters.shift()!;
      free.busy = true;
      w.resolve(free);
    }
  }

  private bestFreeSlot(prompt: readonly Token[]): Slot | undefined {
    let best: Slot | undefined;
    let bestLen = -1;
    for (const s of this.slots) {
      if (s.busy) continue;
      const len = commonPrefixLength(s.seq.contextTokens, prompt);
      // Ties go to the sequence caching the least, keeping longer caches for prompts that share them.
      if (len > bestLen || (len === bestLen && best !== undefined && s.seq.nextTokenIndex < best.seq.nextTokenIndex)) {
        best = s;
        bestLen = len;
      }
    }
    return best;
  }
}

function topLogprobs(probs: Map<Token, number>, n: number): { token: Token; logprob: number }[] {
  // node-llama-cpp returns the map sorted by probability, highest first.
  const out: { token: Token; logprob: number }[] = [];
  for (const [token, p] of probs) {
    if (out.length >= n) break;
    out.push({ token, logprob: Math.log(Math.max(p, Number.MIN_VALUE)) });
  }
  return out;
}

/** Turns an aborted request signal into the right error: a timeout (408) or a client that left. */
function throwIfAborted(signal: AbortSignal, metrics: Metrics): void {
  if (!signal.aborted) return;
  const reason = signal.reason as { name?: string } | undefined;
  if (reason?.name === 'TimeoutError') {
    metrics.timedOut++;
    throw new ServeError('SERVE_TIMEOUT', 'the request ran past the server timeout.', { status: 408, type: 'timeout_error' });
  }
  metrics.cancelled++;
  throw new ServeError('SERVE_CANCELLED', 'the client closed the request.', { status: 499 });
}

type Next = { item: GeneratedToken } | { finish: FinishReason } | { error: unknown };

/** Tokens from a request's pump to its consumer: unbounded (at most max_tokens), one reader. */
class TokenQueue {
  /** Set by the consumer when it stops reading; the pump ends at its next token. */
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
