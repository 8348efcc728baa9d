import { defineErrorCodes } from '@puyu/core';

/**
 * The error codes @puyu/client throws or returns (see docs/errors.md and @puyu/core's
 * defineErrorCodes). PROVIDER_* codes are returned as data (`ProviderResult.error.code`), so a
 * run records a failed request and goes on; CLIENT_* codes are thrown.
 */
export const CLIENT_ERROR_PREFIXES = ['CLIENT_', 'PROVIDER_'] as const;

export const CLIENT_ERROR_CODES = defineErrorCodes('@puyu/client', CLIENT_ERROR_PREFIXES, {
  CLIENT_BAD_MODEL_SPEC: {
    meaning:
      'A model entry is not a model spec (URL@model, completions+URL@model, local:PATH.gguf), or names neither a spec nor endpoints and a model.',
    action: 'Write the model as URL@model (e.g. http://127.0.0.1:8000@internlm2) or local:PATH.gguf.',
  },
  CLIENT_EMPTY_POOL: {
    meaning: 'An endpoint pool was made with no endpoints.',
    action: 'Give the pool at least one endpoint.',
  },
  CLIENT_SERVE_UNAVAILABLE: {
    meaning: 'A local: model needs @puyu/serve, which is not installed.',
    action: 'npm install @puyu/serve, or serve the model elsewhere and pass URL@model.',
  },
  'PROVIDER_HTTP_<status>': {
    meaning: 'The server answered with an HTTP error status, e.g. PROVIDER_HTTP_429 or PROVIDER_HTTP_500 (returned as data).',
    action: '408, 409, 429 and 5xx are retried automatically; for others fix the request or credentials as the message says.',
  },
  PROVIDER_TIMEOUT: {
    meaning: 'The server sent no answer within the per-attempt timeout (returned as data, retried).',
    action: 'Raise the timeout, lower max tokens, or check the server is not overloaded.',
  },
  PROVIDER_NETWORK: {
    meaning: 'The request failed on the network: connection refused, reset or DNS (returned as data, retried).',
    action: 'Check the URL and that the server is running and reachable.',
  },
  PROVIDER_BAD_RESPONSE: {
    meaning: 'The server answered 2xx with a body that is not the expected OpenAI response (returned as data).',
    action: 'Check the URL points at an OpenAI-compatible API (…/v1) and the api kind (chat or completions) fits the model.',
  },
  PROVIDER_UNSUPPORTED: {
    meaning: 'The provider cannot do what was asked, e.g. embeddings (returned as data).',
    action: 'Use a provider or server that supports the operation.',
  },
  PROVIDER_ABORTED: {
    meaning: 'The request was aborted because the run was stopped (returned as data).',
    action: 'Nothing: rerun to resume.',
  },
});

export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;
