import { defineErrorCodes } from '@puyu/core';

/**
 * The error codes @puyu/serve throws or answers with (see docs/errors.md and @puyu/core's
 * defineErrorCodes). HTTP clients see them as `error.code` of an OpenAI error body; the
 * lower_snake_case ones are OpenAI's own codes, kept because OpenAI clients switch on them.
 */
export const SERVE_ERROR_PREFIXES = ['SERVE_', 'PROXY_'] as const;

export const SERVE_ERROR_CODES = defineErrorCodes('@puyu/serve', SERVE_ERROR_PREFIXES, {
  // starting the server
  SERVE_MODEL_NOT_FOUND: {
    meaning: 'The model to serve does not exist.',
    action: 'Check the path of the .gguf file or HF folder.',
  },
  SERVE_MODEL_FORMAT: {
    meaning: 'The model to serve is neither a .gguf file nor an HF folder with config.json.',
    action: 'Pass a .gguf file or an HF InternLM2 folder (it is converted once and cached).',
  },
  SERVE_MODEL_LOAD: {
    meaning: 'llama.cpp could not load the model.',
    action: 'Check the file with `puyu model inspect` and that there is enough memory; the message has llama.cpp’s reason.',
  },
  SERVE_BAD_LORA: {
    meaning: 'A --lora adapter is missing, has a bad scale, or llama.cpp refused it for this model.',
    action: 'Pass a GGUF LoRA trained on this base (puyu train lora writes adapter-*.gguf) as FILE or FILE,SCALE.',
  },
  SERVE_BAD_KV_TYPE: {
    meaning: 'The KV-cache type is unknown, or a quantized KV cache was asked for without flash attention.',
    action: 'Use f16, f32, q8_0 or q4_0, and keep flash attention on for q8_0 / q4_0.',
  },
  PROXY_BAD_NODE: {
    meaning: 'A proxy node is not an http(s) URL or has a weight that is not positive.',
    action: 'Give nodes as http://host:port with weight > 0.',
  },
  // answering requests (HTTP 4xx: the client's to fix)
  SERVE_BAD_JSON: {
    meaning: 'The request body is not valid JSON (HTTP 400).',
    action: 'Send a JSON body with Content-Type: application/json.',
  },
  SERVE_INVALID_REQUEST: {
    meaning: 'The request breaks the OpenAI schema; the error param names the field (HTTP 400).',
    action: 'Fix the field named in the message and param.',
  },
  SERVE_BODY_TOO_LARGE: {
    meaning: 'The request body is larger than the server accepts (HTTP 413).',
    action: 'Send a smaller request, or start the server with a larger --max-body.',
  },
  SERVE_EMPTY_PROMPT: {
    meaning: 'The prompt is empty (HTTP 400).',
    action: 'Send a non-empty prompt or messages.',
  },
  SERVE_BAD_TOKEN: {
    meaning: 'A prompt or input given as token ids has an id outside the vocabulary (HTTP 400).',
    action: 'Tokenize with this model’s tokenizer.',
  },
  SERVE_UNKNOWN_TOOL: {
    meaning: 'tool_choice names a function that is not in tools (HTTP 400).',
    action: 'Name one of the tools sent, or add it to tools.',
  },
  SERVE_BAD_SCHEMA: {
    meaning: 'The response_format JSON schema cannot be turned into a grammar (HTTP 400).',
    action: 'Simplify the schema (the message says which part is unsupported).',
  },
  SERVE_BAD_DIMENSIONS: {
    meaning: 'Embeddings were asked for with more dimensions than the model has (HTTP 400).',
    action: 'Ask for at most the model’s embedding size, or omit dimensions.',
  },
  SERVE_TOO_MANY_INPUTS: {
    meaning: 'An embeddings request has more than 256 inputs (HTTP 400).',
    action: 'Split the inputs over several requests.',
  },
  SERVE_TOO_MANY_CHOICES: {
    meaning: 'The request needs more generations (n × prompts) than the server can ever hold at once (HTTP 400).',
    action: 'Lower n or send fewer prompts per request.',
  },
  SERVE_UNSUPPORTED: {
    meaning: 'The request uses a feature this server does not support (suffix, echo with logprobs while streaming) (HTTP 400).',
    action: 'Drop the parameter named in param.',
  },
  context_length_exceeded: {
    standard: 'OpenAI',
    meaning: 'The prompt has more tokens than the server’s context accepts (HTTP 400).',
    action: 'Shorten the prompt, or start the server with a larger --ctx-size / --max-prompt-tokens.',
  },
  invalid_api_key: {
    standard: 'OpenAI',
    meaning: 'The request has no API key or a wrong one (HTTP 401).',
    action: 'Send "Authorization: Bearer <key>" with a key the server was started with (--api-key).',
  },
  model_not_found: {
    standard: 'OpenAI',
    meaning: 'The model asked for is not the one this server serves (HTTP 404).',
    action: 'Use the id that GET /v1/models lists.',
  },
  not_found: {
    standard: 'OpenAI',
    meaning: 'No such route (HTTP 404).',
    action: 'Use /v1/chat/completions, /v1/completions, /v1/embeddings or /v1/models.',
  },
  // the server's state (retry)
  SERVE_OVERLOADED: {
    meaning: 'Every sequence is busy and the queue is full (HTTP 429, with Retry-After).',
    action: 'Retry after the Retry-After delay, or start the server with more --sequences or a longer --max-queue.',
  },
  SERVE_SHUTTING_DOWN: {
    meaning: 'The server is shutting down (HTTP 503, with Retry-After).',
    action: 'Retry on another instance or once it is back.',
  },
  SERVE_TIMEOUT: {
    meaning: 'The request ran past the server timeout (HTTP 408).',
    action: 'Ask for fewer tokens, or start the server with a larger --timeout.',
  },
  SERVE_CANCELLED: {
    meaning: 'The client closed the request before it finished (HTTP 499, logged by the server).',
    action: 'Nothing, unless the client did not mean to close it (check its timeout).',
  },
  SERVE_SIBLING_FAILED: {
    meaning: 'A choice of an n > 1 request was stopped because another choice of it failed (HTTP 500).',
    action: 'See the failure of the other choice; retry the request.',
  },
  SERVE_INTERNAL: {
    meaning:
      'The server failed on the request (an engine failure or a bug) (HTTP 500); details are in the server log under the request id.',
    action: 'Retry; if it repeats, report the request id with the server log.',
  },
});

export type ServeErrorCode = keyof typeof SERVE_ERROR_CODES;
