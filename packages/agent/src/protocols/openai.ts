import type { AgentModel, ModelChunk, WireMessage } from '../core/model.js';
import { type Tool, toOpenAITool } from '../core/tool.js';
import type { AgentMessage } from '../core/types.js';
import { newCallId, type Protocol, type ProtocolTurn, type TurnOptions } from './protocol.js';

/**
 * OpenAI function calling, for any compatible server (ours, vLLM, LMDeploy, Ollama): tools go
 * as `tools`, calls come back as `tool_calls` (in stream deltas or whole), results go as `tool`
 * messages. Arguments that are not a JSON object become an issue answered under the same call
 * id, so the conversation stays valid for the server and the model sees what it got wrong.
 */
export class OpenAIProtocol implements Protocol {
  readonly name = 'openai' as const;

  async turn(model: AgentModel, messages: readonly AgentMessage[], tools: readonly Tool[], opts: TurnOptions = {}): Promise<ProtocolTurn> {
    const stream = model.chat(
      { messages: toOpenAIWire(messages), tools: tools.length > 0 ? tools.map(toOpenAITool) : undefined, params: opts.params },
      opts.signal,
    );
    return readOpenAITurn(stream, opts.onText);
  }
}

/** Reads an OpenAI answer from chunk deltas (exported for recorded transcripts). */
export async function readOpenAITurn(
  chunks: AsyncIterable<ModelChunk> | Iterable<ModelChunk>,
  onText?: (text: string) => void,
): Promise<ProtocolTurn> {
  const turn: ProtocolTurn = { content: '', calls: [], issues: [], raw: '' };
  const pending = new Map<number, { id: string; name: string; arguments: string }>();
  for await (const chunk of chunks) {
    if (chunk.text) {
      turn.content += chunk.text;
      turn.raw += chunk.text;
      onText?.(chunk.text);
    }
    for (const d of chunk.toolCalls ?? []) {
      const p = pending.get(d.index) ?? { id: '', name: '', arguments: '' };
      if (d.id) p.id = d.id;
      if (d.name) p.name += d.name;
      if (d.arguments) p.arguments += d.arguments;
      pending.set(d.index, p);
    }
  }
  for (const [, p] of [...pending.entries()].sort((a, b) => a[0] - b[0])) {
    const id = p.id || newCallId();
    if (!p.name) {
      turn.issues.push({
        code: 'TOOL_CALL_INVALID_SHAPE',
        message: 'The tool call names no function.',
        raw: p.arguments,
        callId: id,
        name: 'unknown',
      });
      continue;
    }
    const text = p.arguments.trim() === '' ? '{}' : p.arguments;
    let args: unknown;
    try {
      args = JSON.parse(text);
    } catch (e) {
      turn.issues.push({
        code: 'TOOL_CALL_INVALID_JSON',
        message: `The arguments of ${p.name} are not valid JSON (${(e as Error).message}).`,
        raw: p.arguments,
        callId: id,
        name: p.name,
      });
      continue;
    }
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      turn.issues.push({
        code: 'TOOL_CALL_INVALID_SHAPE',
        message: `The arguments of ${p.name} must be a JSON object.`,
        raw: p.arguments,
        callId: id,
        name: p.name,
      });
      continue;
    }
    turn.calls.push({ id, name: p.name, arguments: args });
  }
  return turn;
}

/** Agent messages → OpenAI wire messages. Unreadable calls keep their raw argument text. */
export function toOpenAIWire(messages: readonly AgentMessage[]): WireMessage[] {
  return messages.map((m): WireMessage => {
    if (m.role === 'tool') return { role: 'tool', content: m.content, tool_call_id: m.toolCallId };
    if (m.role !== 'assistant' || !m.toolCalls?.length) return { role: m.role, content: m.content };
    return {
      role: 'assistant',
      content: m.content,
      tool_calls: m.toolCalls.map((c) => ({
        id: c.id,
        type: 'function' as const,
        function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) },
      })),
    };
  });
}
