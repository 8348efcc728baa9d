// @puyu/client — the OpenAI-compatible client every model consumer uses (eval, agents, the
// assistant, labelling, data scoring): chat, completions, embeddings and echo log-likelihood
// over HTTP, with rate limits, retries that honour Retry-After, per-attempt timeouts, endpoint
// pools, model specs and local: models. It depends on @puyu/core only; @puyu/serve is loaded
// at run time, and only for local: models.

export { type BackoffOptions, backoffDelay, isRetryableStatus, retryAfterMs, retryDelay } from './backoff.js';
export { continuationLogprob, type LegacyLogprobs } from './continuationLogprob.js';
export { EndpointPool } from './EndpointPool.js';
export { CLIENT_ERROR_CODES, CLIENT_ERROR_PREFIXES, type ClientErrorCode } from './errorCodes.js';
export { type LocalModelStarter, type LocalServeOptions, type LocalServer, localModelStarter, type ServeModule } from './localModel.js';
export { messagesToPrompt, OpenAIProvider, type OpenAIProviderOptions } from './OpenAIProvider.js';
export { type ModelOptions, type OpenedModel, openModel } from './openModel.js';
export type {
  ChatMessage,
  ChatTool,
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
export { type ModelSpec, parseModelSpec } from './parseModelSpec.js';
export { RateLimiter, type RateLimitOptions } from './RateLimiter.js';
export { ProviderStreamError, sseEvents } from './sseEvents.js';
