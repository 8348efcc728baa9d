import type { GenParams } from '@puyu/client';
import { AgentError } from '../errors.js';
import type { AgentModel, ModelChunk, WireMessage } from './model.js';

export interface StreamingModelOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Time allowed for the response headers (default 120 s); the stream itself may run longer. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * An AgentModel that streams (`stream: true`, server-sent events) so text and tool-call deltas
 * reach the protocol parsers, and from them the agent's `text` events, as tokens arrive.
 * @puyu/client answers whole responses; this is the streaming path it does not have yet, kept
 * small: one attempt, no pool, a coded error on any HTTP or network failure (the agent ends the
 * run with status `error`). Use providerModel for retries, rate limits and local: models.
 */
export function openAIStreamingModel(o: StreamingModelOptions): AgentModel {
  const root = o.baseUrl.replace(/\/+$/, '').replace(/(?<!\/v1)$/, '/v1');
  const post = (path: string, body: Record<string, unknown>, signal?: AbortSignal) =>
    streamEvents(`${root}${path}`, { ...body, model: o.model, stream: true }, o, signal);
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
      for await (const data of post('/completions', { prompt: req.prompt, ...params(req.params) }, signal)) {
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

/** POSTs and yields each `data:` JSON of the SSE response until `[DONE]`. */
async function* streamEvents(
  url: string,
  body: Record<string, unknown>,
  o: StreamingModelOptions,
  signal?: AbortSignal,
): AsyncGenerator<StreamData> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
  const ac = new AbortController();
  const onAbort = () => ac.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ac.abort(new Error('timeout')), o.timeoutMs ?? 120_000);
  try {
    const res = await (o.fetch ?? fetch)(url, { method: 'POST', headers, body: JSON.stringify(body), signal: ac.signal }).catch(
      (e: unknown) => {
        throw new AgentError('AGENT_MODEL_FAILED', `The model at ${url} could not be reached: ${(e as Error).message}`, { cause: e });
      },
    );
    clearTimeout(timer);
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      throw new AgentError('AGENT_MODEL_FAILED', `The model at ${url} answered HTTP ${res.status}: ${text.slice(0, 200)}`, {
        details: { status: res.status },
      });
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const bytes of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(bytes, { stream: true });
      let cut = buffer.search(/\r?\n\r?\n/);
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
        const data = block
          .split(/\r?\n/)
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).replace(/^ /, ''))
          .join('\n');
        if (data === '[DONE]') return;
        if (data) {
          let parsed: StreamData & { error?: { message?: string } };
          try {
            parsed = JSON.parse(data) as StreamData & { error?: { message?: string } };
          } catch {
            throw new AgentError('AGENT_MODEL_FAILED', `The model at ${url} streamed an event that is not JSON: ${data.slice(0, 100)}`);
          }
          if (parsed.error)
            throw new AgentError('AGENT_MODEL_FAILED', `The model at ${url} stopped with an error: ${parsed.error.message ?? 'unknown'}`);
          yield parsed;
        }
        cut = buffer.search(/\r?\n\r?\n/);
      }
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
