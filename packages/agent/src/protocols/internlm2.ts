import {
  type ChatMessage,
  INTERNLM2_STOP_WORDS,
  INTERPRETER_TOOL_NAME,
  InternLM2StreamParser,
  renderInternLM2Chat,
  type ToolCall,
  type ToolDefinition,
} from '@puyu/formats/chat';
import type { AgentModel, ModelChunk } from '../core/model.js';
import { type Tool, toolParameters } from '../core/tool.js';
import type { AgentMessage, AgentToolCall } from '../core/types.js';
import { newCallId, type Protocol, type ProtocolTurn, type TurnOptions } from './protocol.js';

export interface InternLM2ProtocolOptions {
  /** Tool name that stands for the `<|interpreter|>` channel (default IPythonInterpreter, as in Lagent). */
  interpreterToolName?: string;
  /** System prompt when the conversation has none (default: InternLM2's meta instruction). */
  metaInstruction?: string | null;
  /**
   * Text put before the prompt (default `<s>`, as the HF template does). Servers that add BOS
   * themselves when tokenizing a completions prompt (llama.cpp, so `puyu serve`) want `''`.
   */
  bosToken?: string;
}

/**
 * InternLM2's native tool protocol (chat/chat_format.md) over `/v1/completions`: the history is
 * rendered with @puyu/formats' ChatML renderer (plugins in a `system name=<|plugin|>` turn,
 * results as `environment` turns) and the answer read by its stream parser, so markers split
 * across chunks, a call cut off by the `<|action_end|>` stop word and bad JSON are all handled
 * there once. A tool named `IPythonInterpreter` travels on the `<|interpreter|>` channel.
 */
export class InternLM2Protocol implements Protocol {
  readonly name = 'internlm2' as const;
  private readonly interpreterName: string;
  constructor(private readonly opts: InternLM2ProtocolOptions = {}) {
    this.interpreterName = opts.interpreterToolName ?? INTERPRETER_TOOL_NAME;
  }

  render(messages: readonly AgentMessage[], tools: readonly Tool[]): string {
    const plugins: ToolDefinition[] = tools
      .filter((t) => t.name !== this.interpreterName)
      .map((t) => ({ name: t.name, description: t.description, parameters: toolParameters(t) as ToolDefinition['parameters'] }));
    const interpreter = tools.some((t) => t.name === this.interpreterName);
    return renderInternLM2Chat(toInternLM2Messages(messages, this.interpreterName), {
      tools: plugins,
      interpreter,
      meta_instruction: this.opts.metaInstruction,
      bosToken: this.opts.bosToken,
    });
  }

  async turn(model: AgentModel, messages: readonly AgentMessage[], tools: readonly Tool[], opts: TurnOptions = {}): Promise<ProtocolTurn> {
    const prompt = this.render(messages, tools);
    const stop = [...new Set([...(opts.params?.stop ?? []), ...INTERNLM2_STOP_WORDS])];
    const stream = model.complete({ prompt, params: { ...opts.params, stop } }, opts.signal);
    return readInternLM2Turn(stream, { interpreterToolName: this.interpreterName, onText: opts.onText });
  }
}

/** Reads an InternLM2 answer from a chunk stream into a turn (exported for recorded transcripts). */
export async function readInternLM2Turn(
  chunks: AsyncIterable<ModelChunk> | Iterable<ModelChunk>,
  opts: { interpreterToolName?: string; onText?: (text: string) => void } = {},
): Promise<ProtocolTurn> {
  const interpreterName = opts.interpreterToolName ?? INTERPRETER_TOOL_NAME;
  const parser = new InternLM2StreamParser();
  const turn: ProtocolTurn = { content: '', calls: [], issues: [], raw: '' };
  const take = (events: ReturnType<InternLM2StreamParser['push']>) => {
    for (const e of events) {
      if (e.type === 'text') {
        turn.content += e.text;
        opts.onText?.(e.text);
      } else if (e.type === 'tool_call') {
        turn.calls.push(fromInternLM2Call(e.call, interpreterName));
      } else if (e.type === 'error') {
        turn.issues.push({ code: e.code, message: e.message, raw: e.raw, name: e.kind });
      }
    }
  };
  for await (const chunk of chunks) {
    if (!chunk.text) continue;
    turn.raw += chunk.text;
    take(parser.push(chunk.text));
    if (parser.done) break;
  }
  take(parser.end());
  return turn;
}

function fromInternLM2Call(call: ToolCall, interpreterName: string): AgentToolCall {
  if (call.kind === 'interpreter') return { id: newCallId(), name: interpreterName, arguments: { command: call.code } };
  return { id: newCallId(), name: call.name, arguments: call.parameters };
}

/** Agent messages → InternLM2 messages: tool results become `environment` turns on their channel. */
export function toInternLM2Messages(messages: readonly AgentMessage[], interpreterName = INTERPRETER_TOOL_NAME): ChatMessage[] {
  return messages.map((m): ChatMessage => {
    if (m.role === 'tool') return { role: 'environment', name: m.name === interpreterName ? 'interpreter' : 'plugin', content: m.content };
    if (m.role !== 'assistant') return { role: m.role, content: m.content };
    // Calls the protocol could not read carry their raw text as a string; they are not replayed.
    const calls = (m.toolCalls ?? []).filter((c) => typeof c.arguments !== 'string' || c.name === interpreterName);
    const out: ChatMessage = { role: 'assistant', content: m.content };
    if (calls.length > 0) {
      out.toolCalls = calls.map((c): ToolCall => {
        if (c.name === interpreterName) {
          const args = c.arguments as { command?: unknown } | string;
          return { kind: 'interpreter', code: typeof args === 'string' ? args : String(args?.command ?? '') };
        }
        return { kind: 'plugin', name: c.name, parameters: (c.arguments ?? {}) as ToolDefinition['parameters'] & object };
      });
    }
    return out;
  });
}
