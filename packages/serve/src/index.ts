// @puyu/serve: OpenAI-compatible serving of InternLM2 GGUF models through llama.cpp.

export { ApiKeys } from './apiKeys.js';
export { commonPrefixLength } from './engine/commonPrefixLength.js';
export { type BatchStats, Engine, type EngineOptions, type KvCacheType } from './engine/Engine.js';
export { defaultServeCacheDir, hfFolderKey, resolveModelPath } from './engine/resolveModelPath.js';
export type { SequenceTicket } from './engine/Scheduler.js';
export {
  type FinishReason,
  type GeneratedToken,
  type SamplingOptions,
  Scheduler,
  type SchedulerOptions,
} from './engine/Scheduler.js';
export { SERVE_ERROR_CODES, SERVE_ERROR_PREFIXES, type ServeErrorCode } from './errorCodes.js';
export type { RouteContext, ServeLogEntry, ServeLogger } from './http/common.js';
export { type AppOptions, createApp } from './http/createApp.js';
export type * from './http/wire.js';
export { Metrics } from './Metrics.js';
export { NodeRegistry, normalizeNodeUrl, type ProxyNode, type ProxyNodeConfig } from './proxy/NodeRegistry.js';
export { type ProxyOptions, ProxyServer } from './proxy/ProxyServer.js';
export { pickNode, ROUTING_STRATEGIES, type RoutableNode, type RoutingStrategy, updateLatency } from './proxy/strategies.js';
export { type OpenAIErrorType, openAIErrorBody, ServeError } from './ServeError.js';
export { type CloseOptions, type RunningServer, type ServeOptions, startServer } from './startServer.js';
export { type Detokenize, heldSuffixLength, type StreamerStep, TokenTextStreamer } from './text/TokenTextStreamer.js';
