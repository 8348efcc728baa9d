import { type ChatStreamEvent, InternLM2StreamParser } from './internlm2-stream-parser.js';
import type { ChatMessage, ToolCall } from './types.js';

export type ToolCallError = Extract<ChatStreamEvent, { type: 'error' }>;

export interface ParsedInternLM2Response {
  /** All text outside action blocks, concatenated. */
  content: string;
  toolCalls: ToolCall[];
  /** Calls the model got wrong (bad JSON, unknown kind), with their raw text. */
  errors: ToolCallError[];
  /** `im_end` if the model closed its turn, `end` if the text simply ran out. */
  finishedBy: 'im_end' | 'end';
  events: ChatStreamEvent[];
}

/**
 * One-shot parse of a complete assistant response, through the same state machine as streaming
 * so that a streamed and a buffered response can never disagree.
 */
export function parseInternLM2Response(text: string): ParsedInternLM2Response {
  const parser = new InternLM2StreamParser();
  const events = [...parser.push(text), ...parser.end()];
  const result: ParsedInternLM2Response = { content: '', toolCalls: [], errors: [], finishedBy: 'end', events };
  for (const e of events) {
    if (e.type === 'text') result.content += e.text;
    else if (e.type === 'tool_call') result.toolCalls.push(e.call);
    else if (e.type === 'error') result.errors.push(e);
    else if (e.type === 'done') result.finishedBy = e.reason;
  }
  return result;
}

/** The assistant turn to append to the history after a parsed response. */
export function responseToMessage(parsed: Pick<ParsedInternLM2Response, 'content' | 'toolCalls'>): ChatMessage {
  const message: ChatMessage = { role: 'assistant', content: parsed.content };
  if (parsed.toolCalls.length > 0) message.toolCalls = parsed.toolCalls;
  return message;
}
