import { type BackoffOptions, backoffDelay, isRetryableStatus, retryAfterMs } from './backoff.js';
import { continuationLogprob, type LegacyLogprobs } from './continuationLogprob.js';
import type { ChatMessage, GenParams, Provider, ProviderErrorInfo, ProviderRequest, ProviderResult, TokenUsage } from './Provider.js';
import { RateLimiter, type RateLimitOptions, sleep } from './RateLimiter.js';

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

function apiRoot(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

/** Flattens chat messages for a completions endpoint: a base model sees the turns as plain text. */
export function messagesToPrompt(messages: ChatMessage[]): string {
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

/**
 * Any OpenAI-compatible server (ours, vLLM, LMDeploy, Ollama, hosted APIs): chat or
 * completions for generation, echo + logprobs for log-likelihood. Each attempt has its
 * own timeout; 429/5xx/network/timeout failures are retried with jittered backoff.
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
    const started = performance.now();
    const { path, body } = this.build(request);
    const maxRetries = this.opts.maxRetries ?? 4;
    let attempts = 0;
    let last: ProviderErrorInfo = { code: 'PROVIDER_ABORTED', message: 'not attempted', retryable: false };
    for (;;) {
      attempts++;
      let a: Attempt;
      try {
        a = await this.limiter.run(() => this.attempt(path, body, signal), signal);
      } catch {
        // Only the caller's own abort reaches here (the limiter's wait was cancelled).
        a = { ok: false, error: { code: 'PROVIDER_ABORTED', message: 'the run was aborted', retryable: false } };
      }
      const latencyMs = performance.now() - started;
      if (a.ok) {
        const parsed = this.parse(request, a.body);
        if ('error' in parsed) return { ok: false, error: parsed.error, attempts, latencyMs };
        return { ok: true, ...parsed, attempts, latencyMs };
      }
      last = a.error!;
      if (!last.retryable || attempts > maxRetries || signal?.aborted) return { ok: false, error: last, attempts, latencyMs };
      const delay = Math.max(backoffDelay(attempts - 1, this.opts.backoff, this.opts.random), a.retryAfter ?? 0);
      try {
        await sleep(Math.min(delay, this.opts.backoff?.maxMs ?? 30_000), signal);
      } catch {
        return { ok: false, error: { code: 'PROVIDER_ABORTED', message: 'the run was aborted', retryable: false }, attempts, latencyMs };
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
      return { path: '/chat/completions', body: { model: this.model, messages, ...sampling } };
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
      if (signal?.aborted) return { ok: false, error: { code: 'PROVIDER_ABORTED', message: 'the run was aborted', retryable: false } };
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
  ): { texts: string[]; logprob?: number; isGreedy?: boolean; usage?: TokenUsage } | { error: ProviderErrorInfo } {
    const b = body as {
      choices?: { text?: string; message?: { content?: string | null }; logprobs?: LegacyLogprobs | null }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
    if (!Array.isArray(b?.choices) || b.choices.length === 0) return { error: bad('response has no choices') };
    const usage = b.usage ? { promptTokens: b.usage.prompt_tokens, completionTokens: b.usage.completion_tokens } : undefined;
    if (request.kind === 'loglikelihood') {
      const lp = b.choices[0].logprobs;
      if (!lp?.token_logprobs || !lp.text_offset)
        return { error: bad('no echo logprobs in the response: the endpoint must support echo + logprobs on /v1/completions') };
      const r = continuationLogprob(lp, request.context.length);
      if ('error' in r) return { error: bad(r.error) };
      return { texts: [], logprob: r.logprob, isGreedy: r.isGreedy, usage };
    }
    const texts = b.choices.map((c) => (this.api === 'chat' ? (c.message?.content ?? '') : (c.text ?? '')));
    return { texts, usage };
  }
}
