import { type LlamaContextSequence, type LlamaGrammar, LlamaGrammarEvaluationState, type Token } from 'node-llama-cpp';
import type { Metrics } from '../Metrics.js';
import { Admission, type Ticket } from './Admission.js';
import { abortError, shuttingDownError, throwIfAborted } from './abort.js';
import { commonPrefixLength } from './commonPrefixLength.js';
import { DirectDecoder, type DirectRun } from './DirectDecoder.js';
import type { Engine } from './Engine.js';
import { StepBarrier } from './StepBarrier.js';
import { TokenQueue } from './TokenQueue.js';

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
  /**
   * Prompt tokens evaluated per step of a prefill (default: the context's batch size). Cancellation and
   * timeouts are checked between steps, so this bounds how long a cancelled long prompt keeps its sequence.
   */
  prefillChunk?: number;
  /**
   * Run plain generations (no grammar, logprobs or penalties) through DirectDecoder's steps rather
   * than node-llama-cpp's generator (default true; ignored when `coalesceSteps` is false, which keeps
   * node-llama-cpp's own loop for everything).
   */
  directDecode?: boolean;
}

/** One request's generation as its pump runs it: tokens, the end or an error go into `queue`. */
interface PumpJob {
  seq: LlamaContextSequence;
  /** The prompt tokens the sequence does not hold yet. */
  input: Token[];
  opts: SamplingOptions;
  signal: AbortSignal;
  /** When the request was admitted (performance.now()), for TTFT. */
  admitted: number;
  queue: TokenQueue;
}

/** A request's claim on one sequence (see Admission). Its holder releases it when the generation is over. */
export type SequenceTicket = Ticket<LlamaContextSequence>;

/**
 * Continuous batching over the N sequences of one context. A request holds one sequence from
 * admission to its last token; node-llama-cpp gathers the pending evaluations of all sequences
 * into one decode per cycle, so requests join and leave the running batch between decode steps.
 *
 * Prefix reuse: a sequence keeps its KV cache after its request ends; a new request takes the free
 * sequence whose cached tokens share the longest prefix with its prompt, erases the rest, and
 * evaluates only the new suffix (as llama-server's `cache_prompt` slot selection).
 *
 * Lifecycle of a request: `admit` (synchronous: tickets or 429/503) → `generate` / `promptLogprobs`
 * with its ticket → `ticket.release()`. Shutdown: `drain` (see there).
 */
export class Scheduler {
  private readonly admission: Admission<LlamaContextSequence>;
  readonly timeoutMs: number;
  private readonly prefillChunk: number;
  /** Lines up decode steps across requests (absent when `coalesceSteps` is false). */
  readonly barrier?: StepBarrier;
  /** Drives plain generations (absent when turned off or when node-llama-cpp lacks what it needs). */
  readonly direct?: DirectDecoder;
  /** Set when the shutdown grace period is over: running generations stop at their next step. */
  private stopping = false;
  private draining?: Promise<void>;
  private endGrace?: () => void;

  constructor(
    readonly engine: Engine,
    readonly metrics: Metrics,
    opts: SchedulerOptions = {},
  ) {
    this.admission = new Admission(engine.sequences, {
      maxQueue: opts.maxQueue ?? 64,
      score: (seq, prompt) => ({ prefix: commonPrefixLength(seq.contextTokens, prompt), cached: seq.nextTokenIndex }),
      abortError: (signal) => abortError(signal, metrics),
      onRejected: () => metrics.rejected++,
    });
    this.timeoutMs = opts.timeoutMs ?? 600_000;
    // at most one batch: the direct decoder puts the last chunk into a single native batch
    this.prefillChunk = Math.max(1, Math.min(opts.prefillChunk ?? engine.context.batchSize, engine.context.batchSize));
    if (opts.coalesceSteps !== false) this.barrier = new StepBarrier();
    if (opts.coalesceSteps !== false && opts.directDecode !== false && engine.direct instanceof DirectDecoder) this.direct = engine.direct;
  }

  get activeSequences(): number {
    return this.admission.busy;
  }

  get totalSequences(): number {
    return this.engine.sequences.length;
  }

  get queueDepth(): number {
    return this.admission.queued;
  }

  /** True once shutdown began: no request is admitted any more. */
  get isDraining(): boolean {
    return this.admission.draining;
  }

  /** A signal that fires on client abort or when the per-request timeout passes. */
  requestSignal(client?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return client ? AbortSignal.any([client, timeout]) : timeout;
  }

  /**
   * Admits a request needing one generation per prompt, now: returns its tickets (each holding a
   * sequence or queued for one) or throws 429 (queue full), 503 (shutting down) or 400. Every ticket
   * must be released by its holder.
   */
  admit(prompts: readonly (readonly Token[])[], signal: AbortSignal): SequenceTicket[] {
    return this.admission.admit(prompts, signal);
  }

  /**
   * Generates tokens for the ticket's prompt. Stopping iteration early (break / return) ends it as
   * soon as its decode in flight (if any) ends; so does `signal` firing or the server stopping, checked
   * after every decode step and between the prefill steps of a long prompt. Returns why it ended.
   * The ticket stays held: release it once the generator is done.
   *
   * Tokens are produced by a pump that runs ahead of the consumer: a slow client (a full socket)
   * never holds back the decode steps of the others, which the step barrier lines up.
   */
  async *generate(ticket: SequenceTicket, opts: SamplingOptions, signal: AbortSignal): AsyncGenerator<GeneratedToken, FinishReason> {
    const admitted = performance.now();
    const seq = await ticket.granted;
    const prompt = ticket.prompt as readonly Token[];
    const queue = new TokenQueue();
    let pumping: Promise<void> | undefined;
    try {
      this.check(signal);
      const reused = await this.alignPrefix(seq, prompt);
      this.metrics.promptTokens += prompt.length;
      this.metrics.prefixReusedTokens += reused;
      const maxTokens = Math.min(opts.maxTokens, this.engine.contextSize - prompt.length);
      if (maxTokens <= 0) return 'length';
      pumping = this.pump({ seq, input: prompt.slice(reused) as Token[], opts: { ...opts, maxTokens }, signal, admitted, queue });
      for (;;) {
        const next = await queue.take();
        if ('item' in next) yield next.item;
        else if ('error' in next) throw next.error;
        else return next.finish;
      }
    } finally {
      queue.stopped = true;
      // The sequence may be reused only once its pump has returned (after the decode in flight).
      await pumping;
      this.metrics.e2e.observe((performance.now() - admitted) / 1000);
    }
  }

  /**
   * Runs one request's generation, putting tokens, the end or an error into `queue`: plain ones on
   * the direct decode loop (pumpDirect), the rest on node-llama-cpp's generator.
   */
  private async pump(job: PumpJob): Promise<void> {
    const { seq, input, opts, signal, admitted, queue } = job;
    const penalize = (opts.presencePenalty ?? 0) !== 0 || (opts.frequencyPenalty ?? 0) !== 0;
    const plain = !opts.grammar && opts.logprobs === undefined && !penalize;
    if (this.direct && plain && DirectDecoder.unsupported(seq) === undefined) return this.pumpDirect(this.direct, job);
    // The sequence's index in the context is its llama.cpp sequence id (Engine takes them in order).
    const member = this.barrier?.join(this.engine.sequences.indexOf(seq));
    try {
      // The last prompt chunk (≤ one batch) is evaluated with the first generated token.
      const start = await this.prefill(seq, input, signal, queue);
      if (start === undefined) return;
      const generated: Token[] = [];
      const stops = new Set(opts.stopTokens ?? []);
      const wantLogprobs = opts.logprobs !== undefined;
      const it = seq.evaluateWithMetadata(
        input.slice(start),
        { confidence: wantLogprobs, probabilities: (opts.logprobs ?? 0) > 0 },
        {
          ...samplerSettings(opts),
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
        this.check(signal);
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
      this.check(signal);
      queue.end('stop');
    } catch (e) {
      queue.fail(e);
    } finally {
      if (member) this.barrier?.leave(member);
    }
  }

  /** `pump` for a plain generation, through DirectDecoder's steps (same results, less per-token work). */
  private async pumpDirect(direct: DirectDecoder, { seq, input, opts, signal, admitted, queue }: PumpJob): Promise<void> {
    let run: DirectRun | undefined;
    try {
      const start = await this.prefill(seq, input, signal, queue);
      if (start === undefined) return;
      run = await direct.start(seq, samplerSettings(opts));
      const stops = new Set(opts.stopTokens ?? []);
      let n = 0;
      let last = admitted;
      let next = await run.step(input.slice(start));
      for (;;) {
        if (queue.stopped) return;
        this.check(signal);
        // node-llama-cpp's generator ends on "no token" and, unless EOG is to be yielded, on an EOG token
        if (next === undefined || (opts.ignoreEos !== true && this.engine.model.isEogToken(next))) return queue.end('stop');
        const now = performance.now();
        if (n === 0) this.metrics.ttft.observe((now - admitted) / 1000);
        else this.metrics.interToken.observe((now - last) / 1000);
        last = now;
        if (stops.has(next)) return queue.end('stop');
        n++;
        this.metrics.generatedTokens++;
        queue.push({ token: next });
        if (n >= opts.maxTokens) return queue.end('length');
        next = await run.step([next]);
      }
    } catch (e) {
      queue.fail(e);
    } finally {
      run?.close();
    }
  }

  /**
   * Evaluates all but the last chunk (≤ one batch) of a prompt, one batch per step, checking for a
   * cancel or timeout between steps: node-llama-cpp evaluates a whole prompt before its generator
   * yields, so a cancel would otherwise wait for the entire prefill. Returns where the last chunk
   * starts, or undefined when the consumer has gone.
   */
  private async prefill(seq: LlamaContextSequence, input: Token[], signal: AbortSignal, queue: TokenQueue): Promise<number | undefined> {
    let start = 0;
    while (input.length - start > this.prefillChunk) {
      this.check(signal);
      if (queue.stopped) return undefined;
      await seq.evaluateWithoutGeneratingNewTokens(input.slice(start, start + this.prefillChunk));
      start += this.prefillChunk;
    }
    this.check(signal);
    return start;
  }

  /**
   * Log-probabilities of every prompt token given the tokens before it (OpenAI `echo` +
   * `logprobs`, used for perplexity). The first token has none. The sequence is evaluated from
   * scratch, since a reused prefix would have no logits to read. The ticket stays held.
   */
  async promptLogprobs(
    ticket: SequenceTicket,
    topN: number,
    signal: AbortSignal,
  ): Promise<{ logprob: number | null; top: { token: Token; logprob: number }[] | null }[]> {
    const seq = await ticket.granted;
    const prompt = ticket.prompt as readonly Token[];
    this.check(signal);
    if (seq.nextTokenIndex > 0) await seq.eraseContextTokenRanges([{ start: 0, end: seq.nextTokenIndex }]);
    this.metrics.promptTokens += prompt.length;
    const out: { logprob: number | null; top: { token: Token; logprob: number }[] | null }[] = [{ logprob: null, top: null }];
    // Chunks bound memory: each position's full-vocabulary map is read and dropped per chunk.
    const CHUNK = 32;
    for (let start = 0; start < prompt.length - 1; start += CHUNK) {
      this.check(signal);
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
  }

  /**
   * Shutdown, in order: admission closes (new requests and every queued one get 503); running
   * generations may finish for up to `graceMs`; then each stops at its next step (its client gets a
   * 503 error, as an SSE error event when streaming); resolves once every sequence is released, i.e.
   * no decode of ours is in flight, so the engine can be disposed without a native crash. Calling it
   * again with 0 ends the grace period now.
   */
  drain(graceMs: number): Promise<void> {
    if (this.draining) {
      if (graceMs <= 0) this.endGrace?.();
      return this.draining;
    }
    this.admission.drain(shuttingDownError());
    this.draining = (async () => {
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => {
        this.endGrace = resolve;
        timer = setTimeout(resolve, Math.max(0, graceMs));
      });
      await Promise.race([this.admission.idle(), graceOver]);
      clearTimeout(timer);
      this.stopping = true;
      await this.admission.idle();
    })();
    return this.draining;
  }

  private check(signal: AbortSignal): void {
    throwIfAborted(signal, this.metrics);
    if (this.stopping) throw shuttingDownError();
  }

  /** Erases what the sequence caches beyond the longest prefix it shares with `prompt`; returns the kept length. */
  private async alignPrefix(seq: LlamaContextSequence, prompt: readonly Token[]): Promise<number> {
    // At least one prompt token must be evaluated to get logits for the first new token.
    const keep = Math.min(commonPrefixLength(seq.contextTokens, prompt), prompt.length - 1);
    if (seq.nextTokenIndex > keep) await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }]);
    return keep;
  }
}

/** The request's sampling settings as node-llama-cpp takes them, on either decode path. */
function samplerSettings(opts: SamplingOptions) {
  return {
    temperature: opts.temperature,
    // node-llama-cpp defaults to top-k 40 / top-p 0.95; OpenAI's defaults are "off".
    topP: opts.topP ?? 1,
    topK: opts.topK ?? 0,
    minP: opts.minP,
    seed: opts.seed,
  };
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
