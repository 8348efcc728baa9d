import { FormatError } from '@puyu/core';
import { pythonJsonDumps } from './python-json-dumps.js';
import { ACTION_END, ACTION_START, IM_END, IM_START, INTERNLM2_BOS, INTERPRETER, PLUGIN } from './special-tokens.js';
import type { ChatMessage, ToolCall, ToolDefinition } from './types.js';

/** The default system prompt of InternLM2-chat (`meta_instruction` of HF `model.chat()`). */
export const INTERNLM2_META_INSTRUCTION =
  'You are an AI assistant whose name is InternLM (书生·浦语).\n' +
  '- InternLM (书生·浦语) is a conversational language model that is developed by Shanghai AI Laboratory (上海人工智能实验室). It is designed to be helpful, honest, and harmless.\n' +
  '- InternLM (书生·浦语) can understand and communicate fluently in the language chosen by the user such as English and 中文.';

/** The `system name=<|interpreter|>` prompt from InternLM's chat/chat_format.md. */
export const INTERNLM2_INTERPRETER_PROMPT =
  'You now have access to a Jupyter notebook environment supporting Python code execution. Just send code to python to run in this stateful environment. This feature is suitable for:\n' +
  '- Data analysis or processing (such as data manipulation and graphic creation)\n' +
  '- Complex calculations (such as math and physics problems)\n' +
  '- Programming examples (for understanding programming concepts or language features)\n' +
  '- Text processing and analysis (including text analysis and natural language processing)\n' +
  '- Machine learning and data science (model training and data visualization)\n' +
  '- File operations and data import (handling CSV, JSON, etc. formats)';

export interface RenderInternLM2Options {
  /** Plugins the model may call, rendered as one `system name=<|plugin|>` turn. */
  tools?: readonly ToolDefinition[];
  /** Enable the code interpreter: `true` uses INTERNLM2_INTERPRETER_PROMPT, a string replaces it. */
  interpreter?: boolean | string;
  /** Append `<|im_start|>assistant\n` so the model answers next. Default true. */
  addGenerationPrompt?: boolean;
  /**
   * System prompt used when the conversation does not start with a system turn (LMDeploy's
   * rule). Default INTERNLM2_META_INSTRUCTION; `null` or `''` renders none, which is what the
   * HF `chat_template` does.
   */
  meta_instruction?: string | null;
  /**
   * Text put first. Default `<s>` like the HF template, for engines that tokenize the prompt with
   * special-token parsing and no automatic BOS; pass `''` when the tokenizer adds BOS itself.
   */
  bosToken?: string;
  /** Leave a final assistant turn open (no `<|im_end|>`) so the model continues it. */
  continueFinalMessage?: boolean;
}

/**
 * Renders messages into InternLM2's prompt format (chat/chat_format.md), byte-compatible with
 * LMDeploy's `internlm2` template for tools: the meta instruction or the caller's first system
 * turn, then the interpreter prompt, then the plugin list, then the conversation.
 */
export function renderInternLM2Chat(messages: readonly ChatMessage[], options: RenderInternLM2Options = {}): string {
  messages.forEach(validateMessage);
  const continueFinal = options.continueFinalMessage === true;
  if (continueFinal && messages.at(-1)?.role !== 'assistant') {
    throw new FormatError(
      'CHAT_NOTHING_TO_CONTINUE',
      'continueFinalMessage needs the last message to be an assistant turn; add one or drop the option.',
    );
  }
  let out = options.bosToken ?? INTERNLM2_BOS;
  let rest = messages;
  const meta = options.meta_instruction === undefined ? INTERNLM2_META_INSTRUCTION : options.meta_instruction;
  if (messages[0]?.role === 'system') {
    // The caller's own system prompt replaces the meta instruction and stays ahead of the tool
    // prompts, as in chat_format.md where "You are InternLM2-Chat..." precedes name=<|plugin|>.
    out += renderTurn(messages[0]);
    rest = messages.slice(1);
  } else if (meta) {
    out += renderTurn({ role: 'system', content: meta });
  }
  if (options.interpreter) {
    const prompt = typeof options.interpreter === 'string' ? options.interpreter : INTERNLM2_INTERPRETER_PROMPT;
    out += renderTurn({ role: 'system', name: 'interpreter', content: prompt });
  }
  if (options.tools && options.tools.length > 0) {
    out += renderTurn({ role: 'system', name: 'plugin', content: renderToolDefinitions(options.tools) });
  }
  rest.forEach((m, i) => {
    const open = continueFinal && i === rest.length - 1;
    out += renderTurn(m, open);
  });
  if ((options.addGenerationPrompt ?? true) && !continueFinal) out += `${IM_START}assistant\n`;
  return out;
}

/** The JSON list of a `system name=<|plugin|>` turn: `[{"name": ..., "description": ..., "parameters": ...}]`. */
export function renderToolDefinitions(tools: readonly ToolDefinition[]): string {
  return pythonJsonDumps(
    tools.map((t) => {
      if (typeof t.name !== 'string' || t.name === '') {
        throw new FormatError('CHAT_INVALID_TOOL', 'Every tool definition needs a non-empty string `name`.');
      }
      // Fixed key order, absent keys omitted: the model was trained on name/description/parameters.
      const def: Record<string, unknown> = { name: t.name };
      if (t.description !== undefined) def.description = t.description;
      if (t.parameters !== undefined) def.parameters = t.parameters;
      return def;
    }),
  );
}

/** One action block, exactly as the model emits it (no newline after `<|action_end|>`). */
export function renderInternLM2ToolCall(call: ToolCall): string {
  if (call.kind === 'plugin') {
    return `${ACTION_START}${PLUGIN}\n${pythonJsonDumps({ name: call.name, parameters: call.parameters })}${ACTION_END}`;
  }
  return `${ACTION_START}${INTERPRETER}\n\`\`\`python\n${call.code}\n\`\`\`${ACTION_END}`;
}

/** `plugin` / `<|plugin|>` → `<|plugin|>`, same for the interpreter; other names stay literal. */
export function renderSubRoleName(name: string): string {
  if (name === 'plugin' || name === PLUGIN) return PLUGIN;
  if (name === 'interpreter' || name === INTERPRETER) return INTERPRETER;
  return name;
}

function renderTurn(m: ChatMessage, open = false): string {
  const header = m.name === undefined || m.name === '' ? m.role : `${m.role} name=${renderSubRoleName(m.name)}`;
  let body = m.content;
  for (const call of m.toolCalls ?? []) body += renderInternLM2ToolCall(call);
  return `${IM_START}${header}\n${body}${open ? '' : `${IM_END}\n`}`;
}

const ROLES = new Set(['system', 'user', 'assistant', 'environment']);

function validateMessage(m: ChatMessage, i: number): void {
  if (!ROLES.has(m.role)) {
    throw new FormatError(
      'CHAT_INVALID_ROLE',
      `Message ${i} has role ${JSON.stringify(m.role)}; InternLM2 knows system, user, assistant and environment (convert OpenAI messages with fromOpenAIMessages).`,
    );
  }
  if (typeof m.content !== 'string') {
    throw new FormatError('CHAT_INVALID_CONTENT', `Message ${i} content must be a string; join text parts before rendering.`);
  }
  if (m.toolCalls && m.toolCalls.length > 0) {
    if (m.role !== 'assistant')
      throw new FormatError('CHAT_INVALID_MESSAGE', `Message ${i} is ${m.role} but has toolCalls; only assistant turns call tools.`);
    m.toolCalls.forEach((c) => {
      if (c.kind === 'plugin' && (typeof c.name !== 'string' || c.name === '')) {
        throw new FormatError('CHAT_INVALID_TOOL_CALL', `Message ${i} has a plugin call without a name; give every call the tool name.`);
      }
      if (c.kind === 'interpreter' && typeof c.code !== 'string') {
        throw new FormatError('CHAT_INVALID_TOOL_CALL', `Message ${i} has an interpreter call whose code is not a string.`);
      }
      if (c.kind !== 'plugin' && c.kind !== 'interpreter') {
        throw new FormatError(
          'CHAT_INVALID_TOOL_CALL',
          `Message ${i} has a call of kind ${JSON.stringify((c as { kind: unknown }).kind)}; use plugin or interpreter.`,
        );
      }
    });
  }
}
