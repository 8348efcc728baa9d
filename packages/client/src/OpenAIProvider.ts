import { sleep } from '@puyu/core';
import { type BackoffOptions, isRetryableStatus, retryAfterMs, retryDelay } from './backoff.js';
import { continuationLogprob, type LegacyLogprobs } from './continuationLogprob.js';
import type {
  ChatMessage,
  ChatToolCall,
  EmbeddingResult,
  EmbedOptions,
  GenParams,
  Provider,
  ProviderErrorInfo,
  ProviderRequest,
  ProviderResult,
  TokenUsage,
  ToolResultMessage,
} from './Provider.js';
import { RateLimiter, type RateLimitOptions } from './RateLimiter.js';
import { ProviderStreamError, sseEvents } from './sseEvents.js';

export interface OpenAIProviderOptions extends RateLimitOptions {
  /** Server root (`http://host:8000`) or its `/v1` base; a trailing `/v1` is accepted either way. */
  baseUrl: string;
  model: string;
  /** Which route generation uses; loglikelihood always goes to /v1/completions (chat cannot echo the prompt). */
  api?: 'chat' | 'completions';
  apiKey?: string;
  /** Per-attempt time limit (default 120 s). */
  timeoutMs?: number;
  /** Attempts after the first (default 4). */
  maxRetries?: number;
  backoff?: BackoffOptions;
  /** Longest server Retry-After that is waited out (default 60 s); longer ones fall back to the backoff. */
  maxRetryAfterMs?: number;
  headers?: Record<string, string>;
  /** Label for reports (default `model@baseUrl`). */
  id?: string;
  /** Randomness for backoff jitter (tests pin it). */
  random?: () => number;
}

interface Attempt {
  ok: boolean;
  status?: number;
  body?: unknown;
  error?: ProviderErrorInfo;
  retryAfter?: number;
}

/** The outcome of one request after retries, before it is shaped into a ProviderResult or EmbeddingResult. */
type Sent<T> = ({ ok: true; value: T } | { ok: false; error: ProviderErrorInfo }) & { attempts: number; latencyMs: number };

const ABORTED: ProviderErrorInfo = { code: 'PROVIDER_ABORTED', message: 'the run was aborted', retryable: false };

function apiRoot(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

/** Flattens chat messages for a completions endpoint: a base model sees the turns as plain text. */
export function messagesToPrompt(messages: readonly (ChatMessage | ToolResultMessage)[]): string {
  return messages.map((m) => m.content).join('\n\n');
}

function samplingBody(p: GenParams | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (!p) return body;
  if (p.maxTokens !== undefined) body.max_tokens = p.maxTokens;
  if (p.temperature !== undefined) body.temperature = p.temperature;
  if (p.topP !== undefined) body.top_p = p.topP;
  if (p.stop?.length) body.stop = p.stop;
  if (p.n !== undefined && p.n !== 1) body.n = p.n;
  if (p.seed !== undefined) body.seed = p.seed;
  return body;
}

function bad(message: string): ProviderErrorInfo {
  return { code: 'PROVIDER_BAD_RESPONSE', message, retryable: false };
}

function usageOf(b: { usage?: { prompt_tokens?: number; completion_tokens?: number } }): TokenUsage | undefined {
  return b.usage ? { promptTokens: b.usage.prompt_tokens, completionTokens: b.usage.completion_tokens } : undefined;
}

/**
 * Any OpenAI-compatible server (ours, vLLM, LMDeploy, Ollama, hosted APIs): chat or
 * completions for generation, echo + logprobs for log-likelihood, /v1/embeddings for
 * vectors. Each attempt has its own timeout; 429/5xx/network/timeout failures are retried
 * with jittered backoff, waiting at least as long as the server's Retry-After asks.
 */
export class OpenAIProvider implements Provider {
  readonly id: string;
  readonly model: string;
  readonly api: 'chat' | 'completions';
  readonly cacheScope: string;
  private readonly root: string;
  private readonly limiter: RateLimiter;

  constructor(private readonly opts: OpenAIProviderOptions) {
    this.model = opts.model;
    this.api = opts.api ?? 'chat';
    this.cacheScope = this.api;
    this.root = apiRoot(opts.baseUrl);
    this.id = opts.id ?? `${opts.model}@${opts.baseUrl}`;
    this.limiter = new RateLimiter(opts);
  }

  async call(request: ProviderRequest, signal?: AbortSignal): Promise<ProviderResult> {
    // Flattening a tool conversation into a completions prompt would silently drop the tools.
    if (request.kind === 'chat' && request.tools?.length && this.api !== 'chat') {
      const message = `${this.id} uses /completions, which takes no tools: use a chat endpoint (URL@model).`;
      return { ok: false, error: { code: 'PROVIDER_UNSUPPORTED', message, retryable: false }, attempts: 0, latencyMs: 0 };
    }
    const { path, body } = this.build(request);
    const r = await this.send(path, body, (b) => this.parse(request, b), signal);
    if (!r.ok) return r;
    return { ok: true, ...r.value, attempts: r.attempts, latencyMs: r.latencyMs };
  }

  /** The model ids the server lists at GET /v1/models (one attempt, the per-attempt timeout; errors as data). */
  async models(signal?: AbortSignal): Promise<{ ok: true; ids: string[] } | { ok: false; error: ProviderErrorInfo }> {
    const timeoutMs = this.opts.timeoutMs ?? 120_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = { ...this.opts.headers };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    try {
      const res = await fetch(`${this.root}/models`, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      if (!res.ok)
        return {
          ok: false,
          error: {
            code: `PROVIDER_HTTP_${res.status}`,
            message: `HTTP ${res.status}`,
            status: res.status,
            retryable: isRetryableStatus(res.status),
          },
        };
      const body = (await res.json()) as { data?: { id?: unknown }[] };
      if (!Array.isArray(body.data)) return { ok: false, error: bad('GET /models did not answer {"data": [...]}') };
      return { ok: true, ids: body.data.map((m) => m.id).filter((id): id is string => typeof id === 'string') };
    } catch (e) {
      if (signal?.aborted) return { ok: false, error: ABORTED };
      if (timeout.aborted)
        return { ok: false, error: { code: 'PROVIDER_TIMEOUT', message: `no answer within ${timeoutMs} ms`, retryable: true } };
      return { ok: false, error: { code: 'PROVIDER_NETWORK', message: (e as Error).message, retryable: true } };
    }
  }

  /** Embeds `input` through POST /v1/embeddings: one vector per text, in input order. */
  async embed(input: readonly string[], opts: EmbedOptions = {}): Promise<EmbeddingResult> {
    const body: Record<string, unknown> = { model: this.model, input };
    if (opts.dimensions !== undefined) body.dimensions = opts.dimensions;
    const r = await this.send('/embeddings', body, (b) => parseEmbeddings(b, input.length), opts.signal);
    if (!r.ok) return r;
    return { ok: true, ...r.value, attempts: r.attempts, latencyMs: r.latencyMs };
  }

  /**
   * Streams POST `path` (`/chat/completions` or `/completions`; `model` and `stream: true` are
   * added to `body`) and yields each server-sent event's JSON until `[DONE]`. One limiter slot is
   * held for the whole stream. Failures before the response starts (HTTP 429/5xx, network, no
   * headers within the per-attempt timeout) are retried as `call()` retries them; after events
   * have flowed nothing is replayed, and a failure throws a ProviderStreamError with its PROVIDER_* code.
   */
  async *stream(
    path: '/chat/completions' | '/completions',
    body: Record<string, unknown>,
    signal?: AbortSignal,
  ): AsyncGenerator<Record<string, unknown>> {
    const maxRetries = this.opts.maxRetries ?? 4;
    const payload = JSON.stringify({ ...body, model: this.model, stream: true });
    for (let attempt = 1; ; attempt++) {
      let release: () => void;
      try {
        release = await this.limiter.hold(signal);
      } catch {
        throw new ProviderStreamError(ABORTED);
      }
      try {
        const opened = await this.open(path, payload, signal);
        if ('error' in opened) {
          const { error, retryAfter } = opened;
          if (!error.retryable || attempt > maxRetries || signal?.aborted) throw new ProviderStreamError(error);
          release();
          const backoff = { ...this.opts.backoff, maxRetryAfterMs: this.opts.maxRetryAfterMs };
          await sleep(retryDelay(attempt - 1, retryAfter, backoff, this.opts.random), signal).catch(() => {
            throw new ProviderStreamError(ABORTED);
          });
          continue;
        }
        try {
          yield* sseEvents(opened.body, this.root + path);
        } catch (e) {
          if (e instanceof ProviderStreamError) throw e;
          if (signal?.aborted) throw new ProviderStreamError(ABORTED);
          throw new ProviderStreamError({
            code: 'PROVIDER_NETWORK',
            message: `the stream broke off: ${(e as Error).message}`,
            retryable: true,
          });
        }
        return;
      } finally {
        release();
      }
    }
  }

  /** Sends a streaming request and waits for its headers only (the per-attempt timeout covers that wait). */
  private async open(
    path: string,
    payload: string,
    signal?: AbortSignal,
  ): Promise<{ body: AsyncIterable<Uint8Array> } | { error: ProviderErrorInfo; retryAfter?: number }> {
    const timeoutMs = this.opts.timeoutMs ?? 120_000;
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(), timeoutMs);
    const combined = signal ? AbortSignal.any([signal, headersTimeout.signal]) : headersTimeout.signal;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream', ...this.opts.headers };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    try {
      const res = await fetch(this.root + path, { method: 'POST', headers, body: payload, signal: combined });
      if (res.ok && res.body) return { body: res.body as unknown as AsyncIterable<Uint8Array> };
      const text = await res.text().catch(() => '');
      let detail = text.slice(0, 300);
      try {
        const j = JSON.parse(text) as { error?: { message?: string } | string };
        detail = typeof j.error === 'string' ? j.error : (j.error?.message ?? detail);
      } catch {
        // Not JSON: keep the raw text, it is the best description there is.
      }
      return {
        retryAfter: retryAfterMs(res.headers.get('retry-after')),
        error: {
          code: `PROVIDER_HTTP_${res.status}`,
          message: `HTTP ${res.status}: ${detail}`,
          status: res.status,
          retryable: isRetryableStatus(res.status),
        },
      };
    } catch (e) {
      if (signal?.aborted) return { error: ABORTED };
      if (headersTimeout.signal.aborted)
        return { error: { code: 'PROVIDER_TIMEOUT', message: `no response headers within ${timeoutMs} ms`, retryable: true } };
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const message = `${(e as Error).message}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}`;
      return { error: { code: 'PROVIDER_NETWORK', message, retryable: true } };
    } finally {
      clearTimeout(timer);
    }
  }

  /** One request with the limiter, the retry policy and the parse; failures come back as data. */
  private async send<T>(
    path: string,
    body: unknown,
    parse: (body: unknown) => T | { error: ProviderErrorInfo },
    signal?: AbortSignal,
  ): Promise<Sent<T>> {
    const started = performance.now();
    const maxRetries = this.opts.maxRetries ?? 4;
    let attempts = 0;
    for (;;) {
      attempts++;
      let a: Attempt;
      try {
        a = await this.limiter.run(() => this.attempt(path, body, signal), signal);
      } catch {
        // Only the caller's own abort reaches here (the limiter's wait was cancelled).
        a = { ok: false, error: ABORTED };
      }
      const latencyMs = performance.now() - started;
      if (a.ok) {
        const parsed = parse(a.body);
        if (parsed !== null && typeof parsed === 'object' && 'error' in parsed)
          return { ok: false, error: parsed.error, attempts, latencyMs };
        return { ok: true, value: parsed as T, attempts, latencyMs };
      }
      const error = a.error!;
      if (!error.retryable || attempts > maxRetries || signal?.aborted) return { ok: false, error, attempts, latencyMs };
      const backoff = { ...this.opts.backoff, maxRetryAfterMs: this.opts.maxRetryAfterMs };
      try {
        await sleep(retryDelay(attempts - 1, a.retryAfter, backoff, this.opts.random), signal);
      } catch {
        return { ok: false, error: ABORTED, attempts, latencyMs };
      }
    }
  }

  private build(request: ProviderRequest): { path: string; body: Record<string, unknown> } {
    if (request.kind === 'loglikelihood') {
      // lm-eval's recipe: score the whole text, generate nothing, then sum the continuation's tokens.
      return {
        path: '/completions',
        body: { model: this.model, prompt: request.context + request.continuation, echo: true, logprobs: 1, max_tokens: 0, temperature: 0 },
      };
    }
    const sampling = samplingBody(request.params);
    if (this.api === 'chat') {
      const messages = request.kind === 'chat' ? request.messages : [{ role: 'user', content: request.prompt }];
      const tools: Record<string, unknown> = {};
      if (request.kind === 'chat' && request.tools?.length) tools.tools = request.tools;
      if (request.kind === 'chat' && request.toolChoice !== undefined) tools.tool_choice = request.toolChoice;
      return { path: '/chat/completions', body: { model: this.model, messages, ...sampling, ...tools } };
    }
    const prompt = request.kind === 'completion' ? request.prompt : messagesToPrompt(request.messages);
    return { path: '/completions', body: { model: this.model, prompt, ...sampling } };
  }

  private async attempt(path: string, body: unknown, signal?: AbortSignal): Promise<Attempt> {
    const timeoutMs = this.opts.timeoutMs ?? 120_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.opts.headers };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.root + path, { method: 'POST', headers, body: JSON.stringify(body), signal: combined });
      text = await res.text();
    } catch (e) {
      if (signal?.aborted) return { ok: false, error: ABORTED };
      if (timeout.aborted)
        return { ok: false, error: { code: 'PROVIDER_TIMEOUT', message: `no answer within ${timeoutMs} ms`, retryable: true } };
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const message = `${(e as Error).message}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}`;
      return { ok: false, error: { code: 'PROVIDER_NETWORK', message, retryable: true } };
    }
    if (!res.ok) {
      let detail = text.slice(0, 300);
      try {
        const j = JSON.parse(text) as { error?: { message?: string } | string };
        detail = typeof j.error === 'string' ? j.error : (j.error?.message ?? detail);
      } catch {
        // Not JSON: keep the raw text, it is the best description there is.
      }
      return {
        ok: false,
        status: res.status,
        retryAfter: retryAfterMs(res.headers.get('retry-after')),
        error: {
          code: `PROVIDER_HTTP_${res.status}`,
          message: `HTTP ${res.status}: ${detail}`,
          status: res.status,
          retryable: isRetryableStatus(res.status),
        },
      };
    }
    try {
      return { ok: true, status: res.status, body: JSON.parse(text) };
    } catch {
      return { ok: false, error: bad(`response is not JSON: ${text.slice(0, 200)}`) };
    }
  }

  private parse(
    request: ProviderRequest,
    body: unknown,
  ):
    | { texts: string[]; toolCalls?: ChatToolCall[][]; logprob?: number; isGreedy?: boolean; usage?: TokenUsage }
    | { error: ProviderErrorInfo } {
    const b = body as {
      choices?: {
        text?: string;
        message?: { content?: string | null; tool_calls?: ChatToolCall[] | null };
        logprobs?: LegacyLogprobs | null;
      }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
    if (!Array.isArray(b?.choices) || b.choices.length === 0) return { error: bad('response has no choices') };
    const usage = usageOf(b);
    if (request.kind === 'loglikelihood') {
      const lp = b.choices[0].logprobs;
      if (!lp?.token_logprobs || !lp.text_offset)
        return { error: bad('no echo logprobs in the response: the endpoint must support echo + logprobs on /v1/completions') };
      const r = continuationLogprob(lp, request.context.length);
      if ('error' in r) return { error: bad(r.error) };
      return { texts: [], logprob: r.logprob, isGreedy: r.isGreedy, usage };
    }
    const texts = b.choices.map((c) => (this.api === 'chat' ? (c.message?.content ?? '') : (c.text ?? '')));
    const calls = b.choices.map((c) => (this.api === 'chat' && Array.isArray(c.message?.tool_calls) ? c.message.tool_calls : []));
    return calls.some((c) => c.length > 0) ? { texts, toolCalls: calls, usage } : { texts, usage };
  }
}

/** Reads an embeddings response: `data[i].index` places each vector (servers may answer out of order). */
function parseEmbeddings(body: unknown, expected: number): { embeddings: number[][]; usage?: TokenUsage } | { error: ProviderErrorInfo } {
  const b = body as { data?: { embedding?: unknown; index?: number }[]; usage?: { prompt_tokens?: number } };
  if (!Array.isArray(b?.data)) return { error: bad('embeddings response has no data array') };
  if (b.data.length !== expected) return { error: bad(`asked for ${expected} embeddings, got ${b.data.length}`) };
  const out: number[][] = new Array(expected);
  for (const [i, d] of b.data.entries()) {
    const at = typeof d.index === 'number' ? d.index : i;
    // A base64 string here means the server ignored the default float encoding: say so rather than decode guesses.
    if (!Array.isArray(d.embedding) || !d.embedding.every((x) => typeof x === 'number'))
      return { error: bad(`embedding ${at} is not an array of numbers`) };
    if (at < 0 || at >= expected || out[at]) return { error: bad(`embedding index ${at} is out of range or repeated`) };
    out[at] = d.embedding as number[];
  }
  return { embeddings: out, usage: b.usage ? { promptTokens: b.usage.prompt_tokens } : undefined };
}
