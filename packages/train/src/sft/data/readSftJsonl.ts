import { readFile } from 'node:fs/promises';
import { PuyuError } from '@puyu/core';
import {
  type ChatMessage,
  fromOpenAIMessages,
  fromOpenAITools,
  type OpenAIChatMessage,
  type OpenAITool,
  renderInternLM2Chat,
  type ToolDefinition,
} from '@puyu/formats/chat';
import { SftDataError, type SftLineCode, type SftSkippedLine } from './SftDataError.js';

/** The dialogue shapes one JSONL line may hold. */
export type SftFormat = 'xtuner' | 'openai' | 'alpaca';
export const SFT_FORMATS: readonly SftFormat[] = ['xtuner', 'openai', 'alpaca'];

/** One dialogue, already in InternLM2 chat messages, ready to render and tokenize. */
export interface SftDialogue {
  /** 1-based line of the .jsonl file it came from, so later stages can report by line too. */
  line: number;
  format: SftFormat;
  messages: ChatMessage[];
  /** Plugins rendered as the `system name=<|plugin|>` turn (OpenAI `tools`). */
  tools?: ToolDefinition[];
  /** The OpenAI tools declared the code interpreter, so its system prompt is rendered. */
  interpreter?: boolean;
  /**
   * Indices into `messages` of assistant turns that are context only (weight 0): XTuner's
   * `output_with_loss: false` and the OpenAI-message `loss: false` its openai_map_fn reads.
   */
  contextOnly?: number[];
}

export interface SftReadResult {
  dialogues: SftDialogue[];
  skipped: SftSkippedLine[];
}

export interface SftReadOptions {
  /** Force one shape for every line; default `auto` detects it per line. */
  format?: SftFormat | 'auto';
}

/** Reads an SFT .jsonl file; see parseSftJsonl. */
export async function readSftJsonl(path: string, options: SftReadOptions = {}): Promise<SftReadResult> {
  return parseSftJsonl(await readFile(path, 'utf8'), options);
}

/**
 * Parses SFT JSONL text, one dialogue per line. A bad line is skipped and listed in `skipped`
 * with its line number and reason; blank lines are not records and are passed over.
 */
export function parseSftJsonl(text: string, options: SftReadOptions = {}): SftReadResult {
  const format = options.format ?? 'auto';
  if (format !== 'auto' && !SFT_FORMATS.includes(format)) {
    throw new SftDataError('TRAIN_SFT_BAD_OPTIONS', `Unknown SFT format ${JSON.stringify(format)}; use auto, ${SFT_FORMATS.join(', ')}.`);
  }
  const dialogues: SftDialogue[] = [];
  const skipped: SftSkippedLine[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const source = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (e) {
      skipped.push({ line, code: 'TRAIN_SFT_BAD_JSON', reason: `not valid JSON: ${(e as Error).message}` });
      return;
    }
    try {
      dialogues.push({ line, ...parseSftRecord(value, format) });
    } catch (e) {
      if (!(e instanceof PuyuError)) throw e;
      skipped.push({ line, code: lineCode(e), reason: e.message });
    }
  });
  return { dialogues, skipped };
}

/** One parsed JSON record → InternLM2 messages; throws SftDataError naming what is wrong. */
export function parseSftRecord(value: unknown, format: SftFormat | 'auto' = 'auto'): Omit<SftDialogue, 'line'> {
  if (!isObject(value)) throw shape('the line is not a JSON object');
  const detected = format === 'auto' ? detectFormat(value) : format;
  const dialogue =
    detected === 'xtuner' ? fromXTunerConversation(value) : detected === 'openai' ? fromOpenAIRecord(value) : fromAlpaca(value);
  checkRenders(dialogue);
  return dialogue;
}

function detectFormat(value: Record<string, unknown>): SftFormat {
  if ('conversation' in value) return 'xtuner';
  if ('messages' in value) return 'openai';
  if ('instruction' in value) return 'alpaca';
  throw shape('no "conversation", "messages" or "instruction" field, so the line is none of the XTuner, OpenAI or Alpaca shapes');
}

/**
 * XTuner's `{"conversation": [{"system"?, "input", "output"}]}`. As XTuner's template_map_fn
 * does, a turn's non-empty system is rendered as a system turn ahead of that turn's input
 * (datasets put it on the first turn), a missing or null input is the empty string, and
 * `output_with_loss: false` keeps the output as context only.
 */
function fromXTunerConversation(value: Record<string, unknown>): Omit<SftDialogue, 'line'> {
  const turns = value.conversation;
  if (!Array.isArray(turns)) throw shape('"conversation" is not an array');
  if (turns.length === 0) throw noAssistant('"conversation" is empty');
  const messages: ChatMessage[] = [];
  const contextOnly: number[] = [];
  turns.forEach((turn, k) => {
    if (!isObject(turn)) throw shape(`conversation[${k}] is not an object`);
    const system = optionalString(turn.system, `conversation[${k}].system`);
    const input = optionalString(turn.input, `conversation[${k}].input`);
    if (turn.output === undefined || turn.output === null) throw noAssistant(`conversation[${k}] has no "output"`);
    if (typeof turn.output !== 'string') throw shape(`conversation[${k}].output is not a string`);
    if (system !== '') messages.push({ role: 'system', content: system });
    messages.push({ role: 'user', content: input });
    if (!withLoss(turn.output_with_loss)) contextOnly.push(messages.length);
    messages.push({ role: 'assistant', content: turn.output });
  });
  return finish({ format: 'xtuner', messages, contextOnly });
}

/**
 * OpenAI `{"messages": [...], "tools"?: [...]}`, converted by the chat package's own
 * fromOpenAIMessages / fromOpenAITools, so tool calls and `tool` results come out exactly as
 * the server renders them (results become `environment name=<|plugin|>` turns).
 */
function fromOpenAIRecord(value: Record<string, unknown>): Omit<SftDialogue, 'line'> {
  const raw = value.messages;
  if (!Array.isArray(raw)) throw shape('"messages" is not an array');
  raw.forEach((m, i) => {
    if (!isObject(m) || typeof m.role !== 'string') throw shape(`messages[${i}] is not an object with a string "role"`);
    if (m.tool_calls !== undefined && !Array.isArray(m.tool_calls)) throw tool(`messages[${i}].tool_calls is not an array`);
    (Array.isArray(m.tool_calls) ? m.tool_calls : []).forEach((c, j) => {
      if (!isObject(c) || !isObject(c.function)) throw tool(`messages[${i}].tool_calls[${j}] has no "function" object`);
    });
  });
  const messages = fromOpenAIMessages(raw as OpenAIChatMessage[]);
  const contextOnly = raw.flatMap((m, i) => (m.role === 'assistant' && !withLoss(m.loss) ? [i] : []));
  let tools: ToolDefinition[] | undefined;
  let interpreter: boolean | undefined;
  if (value.tools !== undefined) {
    if (!Array.isArray(value.tools)) throw tool('"tools" is not an array');
    const converted = fromOpenAITools(value.tools as OpenAITool[]);
    if (converted.tools.length > 0) tools = converted.tools;
    if (converted.interpreter) interpreter = true;
  }
  return finish({ format: 'openai', messages, contextOnly, tools, interpreter });
}

/**
 * Alpaca `{"instruction", "input"?, "output", "system"?}`. XTuner's alpaca_map_fn makes the
 * user turn `f"{instruction}\n{input}"` (the newline stays even when input is empty) and drops
 * records whose output is `<nooutput>`; we report those instead of dropping them silently.
 */
function fromAlpaca(value: Record<string, unknown>): Omit<SftDialogue, 'line'> {
  if (typeof value.instruction !== 'string') throw shape('"instruction" is not a string');
  const input = optionalString(value.input, 'input');
  const system = optionalString(value.system, 'system');
  if (value.output === undefined || value.output === null) throw noAssistant('no "output"');
  if (typeof value.output !== 'string') throw shape('"output" is not a string');
  if (value.output === '<nooutput>') throw noAssistant('output is "<nooutput>" (XTuner drops these records)');
  const messages: ChatMessage[] = [];
  if (system !== '') messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: `${value.instruction}\n${input}` }, { role: 'assistant', content: value.output });
  return finish({ format: 'alpaca', messages });
}

/** Drops empty optional fields and insists on at least one assistant turn that is trained. */
function finish(d: Omit<SftDialogue, 'line'>): Omit<SftDialogue, 'line'> {
  const out: Omit<SftDialogue, 'line'> = { format: d.format, messages: d.messages };
  if (d.tools) out.tools = d.tools;
  if (d.interpreter) out.interpreter = true;
  if (d.contextOnly && d.contextOnly.length > 0) out.contextOnly = d.contextOnly;
  const context = new Set(out.contextOnly);
  if (!out.messages.some((m, i) => m.role === 'assistant' && !context.has(i))) {
    throw noAssistant(out.messages.some((m) => m.role === 'assistant') ? 'every assistant turn has loss: false' : 'no assistant turn');
  }
  return out;
}

/** Renders once so a dialogue the chat renderer refuses is reported here, by line, not mid-training. */
function checkRenders(d: Omit<SftDialogue, 'line'>): void {
  renderInternLM2Chat(d.messages, { tools: d.tools, interpreter: d.interpreter, meta_instruction: null, addGenerationPrompt: false });
}

/** XTuner reads the flag as `str(v).lower() == "true"`, absent meaning true. */
function withLoss(v: unknown): boolean {
  return v === undefined || String(v).toLowerCase() === 'true';
}

function lineCode(e: PuyuError): SftLineCode {
  if (e instanceof SftDataError) return e.code as SftLineCode;
  // Errors from @puyu/formats' converters and renderer: tool traffic vs. anything else.
  return /TOOL|ARGUMENTS/.test(e.code) ? 'TRAIN_SFT_BAD_TOOL' : 'TRAIN_SFT_BAD_SHAPE';
}

function optionalString(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw shape(`${field} is not a string`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const shape = (why: string) => new SftDataError('TRAIN_SFT_BAD_SHAPE', why);
const noAssistant = (why: string) => new SftDataError('TRAIN_SFT_NO_ASSISTANT', `${why}: there is no assistant reply to learn from`);
const tool = (why: string) => new SftDataError('TRAIN_SFT_BAD_TOOL', why);
