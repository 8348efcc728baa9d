import type { JsonValue, ToolCall, ToolKind } from './types.js';

export type ToolCallParseResult = { ok: true; call: ToolCall } | { ok: false; code: ToolCallErrorCode; message: string };

export type ToolCallErrorCode =
  | 'TOOL_CALL_EMPTY'
  | 'TOOL_CALL_INVALID_JSON'
  | 'TOOL_CALL_INVALID_SHAPE'
  | 'TOOL_CALL_UNKNOWN_KIND'
  | 'TOOL_CALL_INCOMPLETE';

/**
 * Turns the text between `<|plugin|>` / `<|interpreter|>` and `<|action_end|>` into a call.
 * Model output is untrusted, so failures come back as data (the stream parser turns them into
 * error events) rather than exceptions that would end a generation.
 */
export function parseToolCallBody(kind: ToolKind, raw: string): ToolCallParseResult {
  return kind === 'plugin' ? parsePluginBody(raw) : { ok: true, call: { kind: 'interpreter', code: extractInterpreterCode(raw) } };
}

function parsePluginBody(raw: string): ToolCallParseResult {
  let text = raw.trim();
  // Some fine-tunes wrap the call in a ```json fence; the JSON inside is still the call.
  if (text.startsWith('```')) text = extractInterpreterCode(text).trim();
  if (text === '')
    return { ok: false, code: 'TOOL_CALL_EMPTY', message: 'The plugin call has no body; expected {"name": ..., "parameters": {...}}.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, code: 'TOOL_CALL_INVALID_JSON', message: `The plugin call is not valid JSON (${(e as Error).message}).` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      code: 'TOOL_CALL_INVALID_SHAPE',
      message: 'The plugin call must be a JSON object {"name": ..., "parameters": {...}}.',
    };
  }
  const obj = value as Record<string, JsonValue>;
  if (typeof obj.name !== 'string' || obj.name === '') {
    return {
      ok: false,
      code: 'TOOL_CALL_INVALID_SHAPE',
      message: 'The plugin call has no string "name"; the model must name the tool it calls.',
    };
  }
  // InternLM2 writes "parameters"; OpenAI-trained habits leak "arguments", sometimes as a JSON
  // string. LMDeploy accepts both, so do we.
  let parameters: JsonValue = obj.parameters ?? obj.arguments ?? {};
  if (typeof parameters === 'string') {
    try {
      parameters = JSON.parse(parameters) as JsonValue;
    } catch {
      return { ok: false, code: 'TOOL_CALL_INVALID_JSON', message: 'The plugin call\'s "arguments" string is not valid JSON.' };
    }
  }
  return { ok: true, call: { kind: 'plugin', name: obj.name, parameters } };
}

/**
 * The inverse of rendering "```python\n<code>\n```": strip the opening fence line and the final
 * fence only, so backticks inside the code (even a nested ``` in a string) survive. Without a
 * fence the trimmed body is the code, which is how lagent reads unfenced interpreter calls.
 */
export function extractInterpreterCode(raw: string): string {
  const body = raw.replace(/^\s+/, '');
  const open = /^```[\w+-]*[^\S\n]*\n/.exec(body);
  if (!open) return body.trimEnd();
  const inner = body.slice(open[0].length);
  const close = /\n?```\s*$/.exec(inner);
  return close ? inner.slice(0, close.index) : inner.trimEnd();
}
