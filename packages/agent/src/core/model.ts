import type { ChatMessage, ChatTool, GenParams, Provider, ToolResultMessage } from '@puyu/client';
import { AgentError } from '../errors.js';

/** One piece of a model's answer. A non-streaming endpoint gives one chunk; a stream gives many. */
export interface ModelChunk {
  text?: string;
  /** OpenAI-style call fragments: `arguments` pieces of the same `index` are concatenated. */
  toolCalls?: ToolCallDelta[];
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  arguments?: string;
}

export type WireMessage = ChatMessage | ToolResultMessage;

/**
 * What a protocol needs from a model: chat (with OpenAI tools) and raw completions (for
 * InternLM2's native prompt). Answers are async iterables of chunks so the protocols parse a
 * stream and a one-shot answer with the same code, and so recorded streams can be replayed.
 */
export interface AgentModel {
  readonly id: string;
  chat(req: { messages: WireMessage[]; tools?: ChatTool[]; params?: GenParams }, signal?: AbortSignal): AsyncIterable<ModelChunk>;
  complete(req: { prompt: string; params?: GenParams }, signal?: AbortSignal): AsyncIterable<ModelChunk>;
}

/**
 * An AgentModel over @puyu/client's Provider (retries, rate limits, endpoint pools, local:
 * models). The client answers whole responses, so each request yields one chunk.
 */
export function providerModel(provider: Provider): AgentModel {
  const failed = (error: { code: string; message: string }): never => {
    throw new AgentError('AGENT_MODEL_FAILED', `The model ${provider.id} failed: [${error.code}] ${error.message}`, {
      details: { providerCode: error.code },
    });
  };
  return {
    id: provider.id,
    async *chat(req, signal) {
      const r = await provider.call({ kind: 'chat', messages: req.messages, tools: req.tools, params: req.params }, signal);
      if (!r.ok) return failed(r.error);
      const calls = r.toolCalls?.[0] ?? [];
      yield {
        text: r.texts[0] ?? '',
        toolCalls: calls.map((c, index) => ({ index, id: c.id, name: c.function.name, arguments: c.function.arguments })),
      };
    },
    async *complete(req, signal) {
      const r = await provider.call({ kind: 'completion', prompt: req.prompt, params: req.params }, signal);
      if (!r.ok) return failed(r.error);
      yield { text: r.texts[0] ?? '' };
    },
  };
}
