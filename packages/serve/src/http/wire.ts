/**
 * The JSON bodies this server answers with (OpenAI's shapes, the fields we fill), for clients and
 * tests that read them back: `(await res.json()) as ChatCompletionBody`.
 */

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

export interface TopLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}
export interface ChatLogprob extends TopLogprob {
  top_logprobs: TopLogprob[];
}

export interface ToolCallBody {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface UsageBody {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatCompletionBody {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: ToolCallBody[] };
    logprobs: { content: ChatLogprob[] } | null;
    finish_reason: 'stop' | 'length' | 'tool_calls';
  }[];
  usage: UsageBody;
}

/** One SSE `data:` event of a streamed chat completion (an error event has `error` instead). */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  choices: {
    index: number;
    delta: { role?: 'assistant'; content?: string; tool_calls?: (Partial<ToolCallBody> & { index: number })[] };
    logprobs: { content: ChatLogprob[] } | null;
    finish_reason: 'stop' | 'length' | 'tool_calls' | null;
  }[];
  usage?: UsageBody;
}

export interface LegacyLogprobsBody {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

export interface CompletionBody {
  id: string;
  object: 'text_completion';
  model: string;
  choices: { index: number; text: string; logprobs: LegacyLogprobsBody | null; finish_reason: string | null }[];
  usage: UsageBody;
}

export interface ModelListBody {
  object: 'list';
  data: { id: string; object: 'model'; owned_by: string; max_model_len: number }[];
}

export interface HealthBody {
  status: 'ok' | 'draining';
  model: string;
  active_sequences: number;
  queue_depth: number;
}
