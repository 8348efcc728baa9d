import { Template } from '@huggingface/jinja';
import { FormatError } from '@puyu/core';
import { INTERPRETER_TOOL_NAME } from './openai-messages.js';
import type { ChatMessage, ToolDefinition } from './types.js';

/** A message as HF chat templates see it: a plain dict with at least role and content. */
export type TemplateMessage = { role: string; content: string | null; [key: string]: unknown };

export interface ChatTemplateOptions {
  addGenerationPrompt?: boolean;
  bosToken?: string;
  eosToken?: string;
  /** Passed to the template as `tools` in OpenAI's shape ({type: 'function', function: {...}}). */
  tools?: readonly ToolDefinition[];
  /** Any other variables the template reads (`date_string`, `enable_thinking`, ...). */
  extra?: Record<string, unknown>;
}

// Parsing dominates rendering for short chats and a server renders the same template for every
// request, so parsed templates are kept (bounded: templates come from model files, not users).
const cache = new Map<string, Template>();
const CACHE_LIMIT = 16;

// @huggingface/jinja predeclares a `raise_exception` that throws a plain Error, indistinguishable
// from a render bug, and refuses to redeclare globals; a leading `{% set %}` (which may shadow)
// routes the template's calls to ours so the rejection keeps its own error code. The newline
// (eaten by trim_blocks) keeps the template's first line a line start for lstrip_blocks.
const RAISE = '__puyu_raise_exception';
const PRELUDE = `{% set raise_exception = ${RAISE} %}\n`;

/**
 * Renders a Hugging Face `chat_template` (Jinja) with @huggingface/jinja, which applies HF's
 * `trim_blocks` + `lstrip_blocks`. Variables follow `tokenizer.apply_chat_template`: `messages`,
 * `add_generation_prompt`, `bos_token`, `eos_token`, `tools`, plus `raise_exception`.
 *
 * Use it for models whose template is all we know; for InternLM2 prefer renderInternLM2Chat: the
 * HF template shipped with InternLM2 only concatenates role and content, so it renders no tool
 * list, no `name=<|plugin|>` sub-roles and no action blocks (it proves equal where it applies).
 */
export function renderChatTemplate(template: string, messages: readonly TemplateMessage[], options: ChatTemplateOptions = {}): string {
  const compiled = compile(template);
  const context: Record<string, unknown> = {
    ...options.extra,
    messages: messages.map((m) => ({ ...m })),
    add_generation_prompt: options.addGenerationPrompt ?? false,
    bos_token: options.bosToken ?? '',
    eos_token: options.eosToken ?? '',
    [RAISE]: (message: unknown) => {
      throw new FormatError('CHAT_TEMPLATE_RAISED', `The chat template rejected the conversation: ${String(message)}`);
    },
  };
  if (options.tools) {
    context.tools = options.tools.map((t) => ({ type: 'function', function: { ...t } }));
  }
  try {
    return compiled.render(context);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(
      'CHAT_TEMPLATE_RENDER_FAILED',
      `The chat template failed while rendering: ${(e as Error).message}. Check the messages have the fields it reads.`,
      { cause: e },
    );
  }
}

/**
 * Our messages as HF template dicts: roles unchanged (InternLM2's template prints `environment`
 * as is), tool calls in OpenAI's `tool_calls` shape with arguments as objects, as HF expects.
 */
export function toTemplateMessages(messages: readonly ChatMessage[]): TemplateMessage[] {
  return messages.map((m) => {
    const out: TemplateMessage = { role: m.role, content: m.content };
    if (m.name !== undefined) out.name = m.name;
    if (m.toolCalls && m.toolCalls.length > 0) {
      out.tool_calls = m.toolCalls.map((c) => ({
        type: 'function',
        ...(c.id ? { id: c.id } : {}),
        function:
          c.kind === 'plugin' ? { name: c.name, arguments: c.parameters } : { name: INTERPRETER_TOOL_NAME, arguments: { command: c.code } },
      }));
    }
    if (m.toolCallId !== undefined) out.tool_call_id = m.toolCallId;
    return out;
  });
}

/**
 * The chat template from a parsed tokenizer_config.json: either a string or, in newer files, a
 * list of `{name, template}` of which `default` (or `name`) is wanted.
 */
export function chatTemplateFromTokenizerConfig(config: Record<string, unknown>, name = 'default'): string {
  const t = config.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const hit = t.find((x) => x && typeof x === 'object' && (x as { name?: unknown }).name === name) as { template?: unknown } | undefined;
    if (hit && typeof hit.template === 'string') return hit.template;
    throw new FormatError(
      'CHAT_TEMPLATE_MISSING',
      `tokenizer_config.json has no chat template named ${JSON.stringify(name)}; pick one of its names.`,
    );
  }
  throw new FormatError(
    'CHAT_TEMPLATE_MISSING',
    'tokenizer_config.json has no chat_template; pass a template explicitly or use renderInternLM2Chat for InternLM2.',
  );
}

function compile(template: string): Template {
  let compiled = cache.get(template);
  if (compiled) return compiled;
  try {
    compiled = new Template(PRELUDE + template);
  } catch (e) {
    throw new FormatError(
      'CHAT_TEMPLATE_INVALID',
      `The chat template does not parse: ${(e as Error).message}. Fix the Jinja syntax or use a built-in renderer.`,
      {
        cause: e,
      },
    );
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(template, compiled);
  return compiled;
}
