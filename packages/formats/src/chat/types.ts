/**
 * InternLM2-aware chat messages. Close to OpenAI's shape, but tool traffic is modelled the way
 * InternLM2 sees it: calls live on the assistant turn (rendered inline as `<|action_start|>`
 * blocks), results are `environment` turns, and every tool is either a JSON "plugin" or the
 * Python code interpreter.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type ChatRole = 'system' | 'user' | 'assistant' | 'environment';

/** Which InternLM2 action channel a call or result belongs to. */
export type ToolKind = 'plugin' | 'interpreter';

/** `<|action_start|><|plugin|>\n{"name": ..., "parameters": ...}<|action_end|>` */
export interface PluginCall {
  kind: 'plugin';
  name: string;
  parameters: JsonValue;
  /** OpenAI `tool_call_id`, kept only so a round trip through OpenAI messages is lossless. */
  id?: string;
}

/** `<|action_start|><|interpreter|>\n```python\n<code>\n```<|action_end|>` */
export interface InterpreterCall {
  kind: 'interpreter';
  code: string;
  id?: string;
}

export type ToolCall = PluginCall | InterpreterCall;

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /**
   * Sub-role shown as `role name=...`: `plugin` / `interpreter` render as `<|plugin|>` /
   * `<|interpreter|>` (the marker spelling is accepted too); any other name renders literally,
   * as in chat_format.md's `<|im_start|>user name=file`.
   */
  name?: string;
  /** Assistant only: calls appended after `content`, in order. */
  toolCalls?: ToolCall[];
  /** Environment only: the OpenAI call id this result answers. */
  toolCallId?: string;
}

/** A plugin the model may call; `parameters` is a JSON schema. Serialised in this key order. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: JsonObject;
}
