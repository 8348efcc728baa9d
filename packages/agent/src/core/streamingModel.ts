import { type GenParams, OpenAIProvider, ProviderStreamError } from '@puyu/client';
import { AgentError } from '../errors.js';
import type { AgentModel, ModelChunk, WireMessage } from './model.js';

export interface StreamingModelOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Time allowed for the response headers (default 120 s); the stream itself may run longer. */
  timeoutMs?: number;
  /** Attempts after the first when the server refuses before streaming (429/5xx, network); default 4. */
  maxRetries?: number;
}

/**
 * An AgentModel that streams (`stream: true`, server-sent events) so text and tool-call deltas
 * reach the protocol parsers, and from them the agent's `text` events, as tokens arrive. The
 * stream is @puyu/client's (`OpenAIProvider.stream`: rate limits, retries before the first event);
 * any failure ends the run with status `error` and AGENT_MODEL_FAILED naming the PROVIDER_* code.
 * Use providerModel for endpoint pools and local: models.
 */
export function openAIStreamingModel(o: StreamingModelOptions): AgentModel {
  const provider = new OpenAIProvider({
    baseUrl: o.baseUrl,
    model: o.model,
    apiKey: o.apiKey,
    timeoutMs: o.timeoutMs,
    maxRetries: o.maxRetries,
  });
  async function* post(
    path: '/chat/completions' | '/completions',
    body: Record<string, unknown>,
    signal?: AbortSignal,
  ): AsyncGenerator<StreamData> {
    try {
      for await (const event of provider.stream(path, body, signal)) yield event as StreamData;
    } catch (e) {
      if (!(e instanceof ProviderStreamError)) throw e;
      throw new AgentError('AGENT_MODEL_FAILED', `The model ${o.model} at ${o.baseUrl} failed (${e.code}): ${e.message}`, {
        cause: e,
        details: { status: e.info.status },
      });
    }
  }
  return {
    id: `${o.model}@${o.baseUrl}`,
    async *chat(req, signal) {
      for await (const data of post(
        '/chat/completions',
        { messages: req.messages satisfies WireMessage[], tools: req.tools, ...params(req.params) },
        signal,
      )) {
        const delta = data.choices?.[0]?.delta;
        if (!delta) continue;
        const chunk: ModelChunk = {};
        if (typeof delta.content === 'string' && delta.content) chunk.text = delta.content;
        if (Array.isArray(delta.tool_calls)) {
          chunk.toolCalls = delta.tool_calls.map((t, i) => ({
            index: t.index ?? i,
            id: t.id,
            name: t.function?.name,
            arguments: t.function?.arguments,
          }));
        }
        if (chunk.text || chunk.toolCalls) yield chunk;
      }
    },
    async *complete(req, signal) {
      // Raw completions serve InternLM2's native protocol, whose call markers are special tokens:
      // ask for them to stay in the text (vLLM's `skip_special_tokens`; puyu serve and LMDeploy
      // take it too, other servers ignore the extra field).
      const body = { prompt: req.prompt, ...params(req.params), skip_special_tokens: false };
      for await (const data of post('/completions', body, signal)) {
        const text = data.choices?.[0]?.text;
        if (typeof text === 'string' && text) yield { text };
      }
    },
  };
}

function params(p: GenParams = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.maxTokens !== undefined) out.max_tokens = p.maxTokens;
  if (p.temperature !== undefined) out.temperature = p.temperature;
  if (p.topP !== undefined) out.top_p = p.topP;
  if (p.stop?.length) out.stop = p.stop;
  if (p.seed !== undefined) out.seed = p.seed;
  return out;
}

interface StreamData {
  choices?: {
    text?: string;
    delta?: { content?: string | null; tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[] };
  }[];
}
