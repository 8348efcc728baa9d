/**
 * The provider contract: one model behind one endpoint, asked one request at a time.
 * Failures come back as data (`ok: false`), never as exceptions, so one bad sample,
 * a flaky endpoint or a timeout is recorded in the predictions and the run goes on
 * (promptfoo's rule; OpenCompass runs die on the first API error instead).
 */

/** One turn of a chat request, in the OpenAI wire format's roles. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  /** Calls an assistant turn made (sent back in a tool-use conversation). */
  tool_calls?: ChatToolCall[];
}

/** A tool's answer to one call, in the OpenAI wire format. */
export interface ToolResultMessage {
  role: 'tool';
  content: string;
  tool_call_id: string;
}

/** An OpenAI function tool the model may call (`tools` of a chat request). */
export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** A call the server parsed out of the model's answer (OpenAI `message.tool_calls[i]`). */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** Sampling parameters: part of the cache key, so two runs with different settings never share answers. */
export interface GenParams {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  /** Number of completions per request (self-consistency). */
  n?: number;
  seed?: number;
}

export type ProviderRequest =
  | {
      kind: 'chat';
      messages: (ChatMessage | ToolResultMessage)[];
      params?: GenParams;
      /** Sent as OpenAI `tools` / `tool_choice`; chat route only (a completions endpoint cannot take them). */
      tools?: ChatTool[];
      toolChoice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };
    }
  | { kind: 'completion'; prompt: string; params?: GenParams }
  /** log P(continuation | context), lm-eval's `loglikelihood` request. */
  | { kind: 'loglikelihood'; context: string; continuation: string };

export interface ProviderErrorInfo {
  /** Stable code: PROVIDER_HTTP_<status>, PROVIDER_TIMEOUT, PROVIDER_NETWORK, PROVIDER_BAD_RESPONSE, PROVIDER_ABORTED, PROVIDER_UNSUPPORTED. */
  code: string;
  message: string;
  status?: number;
  /** Whether another attempt could succeed (429, 5xx, network, timeout). */
  retryable: boolean;
}

export interface TokenUsage {
  promptTokens?: number;
  completionTokens?: number;
}

export type ProviderResult =
  | {
      ok: true;
      /** One text per requested sample (`n`); for loglikelihood, empty. */
      texts: string[];
      /** Per choice, the tool calls the server returned (chat only; absent when no choice has any). */
      toolCalls?: ChatToolCall[][];
      /** Sum of continuation-token log-probabilities (loglikelihood requests only). */
      logprob?: number;
      /** Whether every continuation token was the model's top-1 choice (lm-eval's `is_greedy`). */
      isGreedy?: boolean;
      usage?: TokenUsage;
      attempts: number;
      latencyMs: number;
    }
  | { ok: false; error: ProviderErrorInfo; attempts: number; latencyMs: number };

/** What `embed` hands back: one vector per input, in input order, or the failure as data. */
export type EmbeddingResult =
  | { ok: true; embeddings: number[][]; usage?: TokenUsage; attempts: number; latencyMs: number }
  | { ok: false; error: ProviderErrorInfo; attempts: number; latencyMs: number };

export interface EmbedOptions {
  /** Output size, for models that can shorten their vectors (OpenAI's `dimensions`). */
  dimensions?: number;
  signal?: AbortSignal;
}

export interface Provider {
  /** Label used in reports, e.g. `internlm2@http://127.0.0.1:8000`. */
  readonly id: string;
  /** Model name sent to the endpoint: the cache keys on it (not on the URL), so replicas share answers. */
  readonly model: string;
  /**
   * What else decides the answer besides the model and the request, as a cache-key part
   * (e.g. the API route: the same messages sent to /chat/completions and flattened for
   * /completions are different prompts). Never the URL or credentials.
   */
  readonly cacheScope?: string;
  call(request: ProviderRequest, signal?: AbortSignal): Promise<ProviderResult>;
  /** Embeds texts through POST /v1/embeddings; absent on providers that cannot. */
  embed?(input: readonly string[], opts?: EmbedOptions): Promise<EmbeddingResult>;
  close?(): Promise<void>;
}
