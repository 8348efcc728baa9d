import type { AgentModel, ModelChunk, WireMessage } from '../core/model.js';
import { type Tool, toolParameters } from '../core/tool.js';
import type { AgentMessage } from '../core/types.js';
import { newCallId, type Protocol, type ProtocolTurn, type TurnOptions } from './protocol.js';

const OBSERVATION = 'Observation:';

/** The ReAct instructions: tools with their JSON Schemas, then the Thought/Action format. */
export function reactSystemPrompt(tools: readonly Tool[]): string {
  const list = tools.map((t) => `- ${t.name}: ${t.description} Parameters (JSON Schema): ${JSON.stringify(toolParameters(t))}`).join('\n');
  return [
    'You can use these tools:',
    list || '(none)',
    '',
    'Answer in this format. To use a tool:',
    'Thought: what you think about the next step',
    'Action: the tool name, one of the tools above',
    'Action Input: the arguments as one JSON object',
    '',
    'Then stop: the result comes back as "Observation: ...". Repeat as needed. When you know the answer:',
    'Thought: I know the final answer',
    'Final Answer: the answer to the question',
  ].join('\n');
}

/**
 * ReAct as text, for models with neither native tools nor function calling: the tools are listed
 * in a system prompt, the model writes `Action:` / `Action Input:`, generation stops at
 * `Observation:` and the result comes back as the next user turn. Parsing happens on the whole
 * answer, so where the stream was split never matters.
 */
export class ReActProtocol implements Protocol {
  readonly name = 'react' as const;

  async turn(model: AgentModel, messages: readonly AgentMessage[], tools: readonly Tool[], opts: TurnOptions = {}): Promise<ProtocolTurn> {
    const wire = toReActWire(messages, tools);
    const stop = [...new Set([...(opts.params?.stop ?? []), OBSERVATION])];
    const turn = await readReActTurn(model.chat({ messages: wire, params: { ...opts.params, stop } }, opts.signal));
    if (turn.content) opts.onText?.(turn.content);
    return turn;
  }
}

/** Agent messages → chat messages with the ReAct system prompt and observations as user turns. */
export function toReActWire(messages: readonly AgentMessage[], tools: readonly Tool[]): WireMessage[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  const out: WireMessage[] = [{ role: 'system', content: [...system, reactSystemPrompt(tools)].join('\n\n') }];
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'tool') out.push({ role: 'user', content: `${OBSERVATION} ${m.content}` });
    else if (m.role === 'assistant' && m.toolCalls?.length) {
      const c = m.toolCalls[0];
      const input = typeof c?.arguments === 'string' ? c.arguments : JSON.stringify(c?.arguments ?? {});
      out.push({ role: 'assistant', content: `Thought: ${m.content}\nAction: ${c?.name}\nAction Input: ${input}` });
    } else out.push({ role: m.role, content: m.content });
  }
  return out;
}

/** Reads a ReAct answer (exported for recorded transcripts). Never throws on model output. */
export async function readReActTurn(chunks: AsyncIterable<ModelChunk> | Iterable<ModelChunk>): Promise<ProtocolTurn> {
  let raw = '';
  for await (const chunk of chunks) raw += chunk.text ?? '';
  return parseReAct(raw);
}

export function parseReAct(raw: string): ProtocolTurn {
  // A model that ignored the stop word may write its own Observation: everything after is invented.
  const cut = raw.indexOf(OBSERVATION);
  const text = cut >= 0 ? raw.slice(0, cut) : raw;
  const turn: ProtocolTurn = { content: '', calls: [], issues: [], raw };
  const action = /^\s*Action\s*:[ \t]*(.*)$/im.exec(text);
  const final = /^\s*Final Answer\s*:\s*/im.exec(text);
  if (final && (!action || final.index < action.index)) {
    turn.content = text.slice(final.index + final[0].length).trim();
    return turn;
  }
  const thought = stripThought(action ? text.slice(0, action.index) : text);
  if (!action) {
    // Neither an action nor "Final Answer:": a weak model answering plainly. Take it as the answer.
    turn.content = thought;
    return turn;
  }
  turn.content = thought;
  const name = (action[1] ?? '').trim().replace(/^`+|`+$/g, '');
  const after = text.slice(action.index + action[0].length);
  const inputMatch = /^\s*Action Input\s*:\s*/im.exec(after);
  if (!name) {
    turn.issues.push({ code: 'TOOL_CALL_INVALID_SHAPE', message: 'The Action line names no tool.', raw: text.slice(action.index) });
    return turn;
  }
  const id = newCallId();
  if (!inputMatch) {
    turn.issues.push({
      code: 'TOOL_CALL_INCOMPLETE',
      message: `Action ${name} has no "Action Input:" line.`,
      raw: after,
      callId: id,
      name,
    });
    return turn;
  }
  let input = after.slice(inputMatch.index + inputMatch[0].length).trim();
  const fence = /^```(?:json)?\s*\n?([\s\S]*?)\n?```/.exec(input);
  if (fence) input = (fence[1] ?? '').trim();
  if (input === '') input = '{}';
  try {
    const args = JSON.parse(input) as unknown;
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      turn.issues.push({ code: 'TOOL_CALL_INVALID_SHAPE', message: 'Action Input must be one JSON object.', raw: input, callId: id, name });
    } else turn.calls.push({ id, name, arguments: args });
  } catch (e) {
    turn.issues.push({
      code: 'TOOL_CALL_INVALID_JSON',
      message: `Action Input is not valid JSON (${(e as Error).message}).`,
      raw: input,
      callId: id,
      name,
    });
  }
  return turn;
}

function stripThought(text: string): string {
  return text.replace(/^\s*Thought\s*:\s*/i, '').trim();
}
