import type { GenParams } from '@puyu/client';
import type { AgentModel } from '../core/model.js';
import type { Tool } from '../core/tool.js';
import type { AgentMessage, AgentToolCall, ProtocolIssue } from '../core/types.js';

/** A call the protocol could not read, tied to the call id the model used when there is one. */
export interface TurnIssue extends ProtocolIssue {
  callId?: string;
  name?: string;
}

/** One assistant turn, read: text for the user, calls to run, calls that could not be read. */
export interface ProtocolTurn {
  content: string;
  calls: AgentToolCall[];
  issues: TurnIssue[];
  /** The model's text as received, for transcripts. */
  raw: string;
}

export interface TurnOptions {
  params?: GenParams;
  signal?: AbortSignal;
  /** Called with user-visible text as it is parsed (markers and call bodies never appear). */
  onText?: (text: string) => void;
}

export type ProtocolName = 'internlm2' | 'openai' | 'react';

/**
 * How tools reach a model and calls come back: the prompt format for tools and results, and a
 * parser for the answer. Parsers never throw on model output; a call they cannot read is a
 * TurnIssue, which the agent sends back to the model as an error result.
 */
export interface Protocol {
  readonly name: ProtocolName;
  turn(model: AgentModel, messages: readonly AgentMessage[], tools: readonly Tool[], opts?: TurnOptions): Promise<ProtocolTurn>;
}

let callCounter = 0;
/** Call ids for protocols whose wire format has none (InternLM2, ReAct). */
export function newCallId(): string {
  callCounter += 1;
  return `call_${Date.now().toString(36)}_${callCounter}`;
}
