/**
 * The agent's own message shape: OpenAI's roles (system, user, assistant, tool), because every
 * protocol maps onto it losslessly; the InternLM2 protocol renders it into ChatML with
 * `environment` turns, the ReAct protocol into Thought/Action/Observation text.
 */

/** One call the model asked for, arguments already parsed from JSON. */
export interface AgentToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

export type AgentMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: AgentToolCall[] }
  | { role: 'tool'; content: string; toolCallId: string; name: string };

/** What a tool call came back with. `ok: false` results still go to the model, as text. */
export interface ToolResult {
  callId: string;
  name: string;
  ok: boolean;
  /** The text the model sees. */
  content: string;
  /** The tool's return value (not stringified), for callers that want structure. */
  value?: unknown;
  durationMs: number;
  startedAt: number;
}

/** A tool call the protocol could not read (bad JSON, unknown channel): sent back to the model. */
export interface ProtocolIssue {
  code: string;
  message: string;
  raw: string;
}

export type FinalStatus = 'answered' | 'max_iterations' | 'aborted' | 'error';

/** How a run ended. `answer` is the last assistant text (empty when the run did not answer). */
export interface FinalState {
  status: FinalStatus;
  answer: string;
  iterations: number;
  messages: AgentMessage[];
  /** Set when status is `error`: the coded reason. */
  error?: { code: string; message: string };
}

/** What a running agent reports, in order, as it happens. */
export type AgentEvent =
  | { type: 'turn_start'; agent: string; iteration: number }
  /** Assistant text as it arrives (several per turn when the model streams). */
  | { type: 'text'; agent: string; text: string }
  | { type: 'tool_call'; agent: string; call: AgentToolCall }
  | { type: 'tool_result'; agent: string; result: ToolResult }
  | { type: 'protocol_error'; agent: string; issue: ProtocolIssue }
  | { type: 'final'; agent: string; state: FinalState };
