import { randomUUID } from 'node:crypto';
import { FormatError } from '@puyu/core';
import { renderSubRoleName } from './render-internlm2-chat.js';
import { INTERPRETER, PLUGIN } from './special-tokens.js';
import type { ChatMessage, JsonObject, JsonValue, ToolCall, ToolDefinition } from './types.js';

export type OpenAIContentPart = { type: 'text'; text: string } | { type: string; [key: string]: unknown };
export type OpenAIContent = string | OpenAIContentPart[] | null;

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIChatMessage =
  | { role: 'system' | 'developer' | 'user'; content: OpenAIContent; name?: string }
  | {
      role: 'assistant';
      content?: OpenAIContent;
      name?: string;
      tool_calls?: OpenAIToolCall[];
      /** Legacy single call (pre-`tools` API). */
      function_call?: { name: string; arguments: string };
    }
  | { role: 'tool'; content: OpenAIContent; tool_call_id: string }
  | { role: 'function'; content: OpenAIContent; name: string };

export interface OpenAITool {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonObject; strict?: boolean };
}

/**
 * OpenAI has no code-interpreter channel, so the interpreter travels as an ordinary function
 * with lagent's action name and argument (`IPythonInterpreter`, `{"command": code}`). Clients
 * that declare this function get InternLM2's native `<|interpreter|>` channel instead of a plugin.
 */
export const INTERPRETER_TOOL_NAME = 'IPythonInterpreter';

export const INTERPRETER_OPENAI_TOOL: OpenAITool = {
  type: 'function',
  function: {
    name: INTERPRETER_TOOL_NAME,
    description: 'Run Python code in a stateful Jupyter notebook and return its output.',
    parameters: { type: 'object', properties: { command: { type: 'string', description: 'Python code to run' } }, required: ['command'] },
  },
};

export interface OpenAIConvertOptions {
  /** Function name that stands for the code interpreter. Default INTERPRETER_TOOL_NAME. */
  interpreterToolName?: string;
}

/**
 * OpenAI request messages → InternLM2 messages: `tool` results become `environment` turns named
 * after the channel of the call they answer, `tool_calls` become plugin / interpreter calls.
 * OpenAI `name`s are participant names, not sub-roles, so like LMDeploy only `plugin` and
 * `interpreter` survive.
 */
export function fromOpenAIMessages(messages: readonly OpenAIChatMessage[], options: OpenAIConvertOptions = {}): ChatMessage[] {
  const interpreterName = options.interpreterToolName ?? INTERPRETER_TOOL_NAME;
  const kindById = new Map<string, 'plugin' | 'interpreter'>();
  return messages.map((m, i): ChatMessage => {
    switch (m.role) {
      case 'system':
      case 'developer':
      case 'user':
        return withSubRole({ role: m.role === 'user' ? 'user' : 'system', content: contentText(m.content, i) }, m.name);
      case 'assistant': {
        const calls = [...(m.tool_calls ?? [])];
        if (m.function_call) calls.push({ id: '', type: 'function', function: m.function_call });
        const out: ChatMessage = withSubRole({ role: 'assistant', content: contentText(m.content ?? null, i) }, m.name);
        if (calls.length > 0) {
          out.toolCalls = calls.map((c) => {
            const call = fromOpenAIToolCall(c, interpreterName, i);
            if (call.id) kindById.set(call.id, call.kind);
            return call;
          });
        }
        return out;
      }
      case 'tool':
        return {
          role: 'environment',
          name: kindById.get(m.tool_call_id) ?? 'plugin',
          content: contentText(m.content, i),
          toolCallId: m.tool_call_id,
        };
      case 'function':
        return { role: 'environment', name: m.name === interpreterName ? 'interpreter' : 'plugin', content: contentText(m.content, i) };
      default:
        throw new FormatError(
          'CHAT_INVALID_ROLE',
          `OpenAI message ${i} has role ${JSON.stringify((m as { role: unknown }).role)}; use system, developer, user, assistant or tool.`,
        );
    }
  });
}

export interface ToOpenAIOptions extends OpenAIConvertOptions {
  /** Id for a call that has none (the model never writes ids). Default `call_<random>`. */
  makeToolCallId?: () => string;
}

/** InternLM2 messages → OpenAI messages (e.g. to replay a conversation against another server). */
export function toOpenAIMessages(messages: readonly ChatMessage[], options: ToOpenAIOptions = {}): OpenAIChatMessage[] {
  const unanswered: string[] = [];
  return messages.map((m, i): OpenAIChatMessage => {
    if (m.role === 'assistant') {
      const out: OpenAIChatMessage = { role: 'assistant', content: m.content };
      if (m.toolCalls && m.toolCalls.length > 0) {
        const toolCalls = toOpenAIToolCalls(m.toolCalls, options);
        unanswered.splice(0, unanswered.length, ...toolCalls.map((c) => c.id));
        if (m.content === '') out.content = null;
        out.tool_calls = toolCalls;
      }
      return out;
    }
    if (m.role === 'environment') {
      // Results answer calls in order, which is how InternLM2 pairs them (it has no ids).
      const id = m.toolCallId ?? unanswered[0];
      if (id === undefined) {
        throw new FormatError(
          'CHAT_UNMATCHED_TOOL_RESULT',
          `Message ${i} is a tool result but no earlier assistant call is left to answer; set toolCallId or add the call.`,
        );
      }
      const at = unanswered.indexOf(id);
      if (at >= 0) unanswered.splice(at, 1);
      return { role: 'tool', tool_call_id: id, content: m.content };
    }
    const out: OpenAIChatMessage = { role: m.role, content: m.content };
    if (m.name) out.name = m.name;
    return out;
  });
}

/** Parsed calls → OpenAI `tool_calls` (arguments as compact JSON, the way OpenAI sends them). */
export function toOpenAIToolCalls(calls: readonly ToolCall[], options: ToOpenAIOptions = {}): OpenAIToolCall[] {
  const makeId = options.makeToolCallId ?? (() => `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`);
  return calls.map((c) => ({
    id: c.id ?? makeId(),
    type: 'function',
    function:
      c.kind === 'plugin'
        ? { name: c.name, arguments: JSON.stringify(c.parameters) }
        : { name: options.interpreterToolName ?? INTERPRETER_TOOL_NAME, arguments: JSON.stringify({ command: c.code }) },
  }));
}

/** OpenAI `tools` → InternLM2 plugin list, with the interpreter function split out. */
export function fromOpenAITools(
  tools: readonly OpenAITool[],
  options: OpenAIConvertOptions = {},
): { tools: ToolDefinition[]; interpreter: boolean } {
  const interpreterName = options.interpreterToolName ?? INTERPRETER_TOOL_NAME;
  const out: ToolDefinition[] = [];
  let interpreter = false;
  tools.forEach((t, i) => {
    if (t?.type !== 'function' || typeof t.function?.name !== 'string' || t.function.name === '') {
      throw new FormatError(
        'OPENAI_UNSUPPORTED_TOOL',
        `Tool ${i} is not {type: "function", function: {name, ...}}; only function tools map to InternLM2 plugins.`,
      );
    }
    if (t.function.name === interpreterName) {
      interpreter = true;
      return;
    }
    const def: ToolDefinition = { name: t.function.name };
    if (t.function.description !== undefined) def.description = t.function.description;
    if (t.function.parameters !== undefined) def.parameters = t.function.parameters;
    out.push(def);
  });
  return { tools: out, interpreter };
}

export function toOpenAITools(tools: readonly ToolDefinition[], options: { interpreter?: boolean } = {}): OpenAITool[] {
  const out: OpenAITool[] = tools.map((t) => {
    const fn: OpenAITool['function'] = { name: t.name };
    if (t.description !== undefined) fn.description = t.description;
    if (t.parameters !== undefined) fn.parameters = t.parameters;
    return { type: 'function', function: fn };
  });
  if (options.interpreter) out.push(INTERPRETER_OPENAI_TOOL);
  return out;
}

function fromOpenAIToolCall(c: OpenAIToolCall, interpreterName: string, i: number): ToolCall {
  const name = c.function?.name;
  if (typeof name !== 'string' || name === '') {
    throw new FormatError(
      'OPENAI_INVALID_TOOL_CALL',
      `Message ${i} has a tool call without function.name; every call needs the tool's name.`,
    );
  }
  const args = parseArguments(c.function.arguments, i);
  const id = c.id ? { id: c.id } : {};
  if (name === interpreterName) {
    const code = args !== null && typeof args === 'object' && !Array.isArray(args) ? (args.command ?? args.code) : undefined;
    if (typeof code !== 'string') {
      throw new FormatError(
        'OPENAI_INVALID_TOOL_CALL',
        `Message ${i} calls ${name} without a string "command"; pass the Python code as {"command": "..."}.`,
      );
    }
    return { kind: 'interpreter', code, ...id };
  }
  return { kind: 'plugin', name, parameters: args, ...id };
}

function parseArguments(args: unknown, i: number): JsonValue {
  if (args === undefined || args === null || args === '') return {};
  if (typeof args !== 'string') return args as JsonValue; // some clients send an object already
  try {
    return JSON.parse(args) as JsonValue;
  } catch (e) {
    throw new FormatError(
      'OPENAI_INVALID_ARGUMENTS',
      `Message ${i} has tool call arguments that are not valid JSON (${(e as Error).message}); send a JSON object string.`,
    );
  }
}

function contentText(content: OpenAIContent, i: number): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new FormatError('CHAT_INVALID_CONTENT', `Message ${i} content must be a string or an array of parts.`);
  return content
    .map((p) => {
      if (p.type !== 'text' || typeof p.text !== 'string') {
        throw new FormatError(
          'CHAT_UNSUPPORTED_CONTENT',
          `Message ${i} has a ${JSON.stringify(p.type)} part; InternLM2 is text-only, so send text parts only.`,
        );
      }
      return p.text;
    })
    .join('\n');
}

function withSubRole(m: ChatMessage, name: string | undefined): ChatMessage {
  if (name === undefined) return m;
  const marker = renderSubRoleName(name);
  if (marker === PLUGIN) m.name = 'plugin';
  else if (marker === INTERPRETER) m.name = 'interpreter';
  return m;
}
