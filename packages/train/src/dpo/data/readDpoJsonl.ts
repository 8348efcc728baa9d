import { readFile } from 'node:fs/promises';
import { PuyuError } from '@puyu/core';
import type { SftDialogue } from '../../sft/data/readSftJsonl.js';
import { parseSftRecord } from '../../sft/data/readSftJsonl.js';
import { DpoDataError, type DpoSkippedLine } from './DpoDataError.js';

/** One preference pair: the same prompt with the preferred (`chosen`) and the dispreferred (`rejected`) reply. */
export interface DpoPair {
  /** 1-based line of the .jsonl file. */
  line: number;
  /** Prompt + chosen reply; only the reply (its last assistant turn) is trained. */
  chosen: SftDialogue;
  /** Prompt + rejected reply. */
  rejected: SftDialogue;
}

export interface DpoReadResult {
  pairs: DpoPair[];
  skipped: DpoSkippedLine[];
}

/** Reads a preference .jsonl file; see parseDpoJsonl. */
export async function readDpoJsonl(path: string): Promise<DpoReadResult> {
  return parseDpoJsonl(await readFile(path, 'utf8'));
}

/**
 * Parses `{prompt, chosen, rejected, tools?}` lines — the format the labelling and data stages
 * export. `prompt` is text (one user turn) or OpenAI `messages`; `chosen` / `rejected` are
 * assistant replies: text, an assistant message object (tool calls allowed) or a one-message
 * array. Both are rendered with the InternLM2 chat renderer exactly as SFT renders dialogues.
 * A bad line is skipped and listed with its line number and reason; blank lines are passed over.
 */
export function parseDpoJsonl(text: string): DpoReadResult {
  const pairs: DpoPair[] = [];
  const skipped: DpoSkippedLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const source = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (e) {
      skipped.push({ line, code: 'TRAIN_DPO_BAD_JSON', reason: `not valid JSON: ${(e as Error).message}` });
      return;
    }
    try {
      pairs.push({ line, ...parseDpoRecord(value) });
    } catch (e) {
      if (!(e instanceof PuyuError)) throw e;
      skipped.push({ line, code: e instanceof DpoDataError ? (e.code as DpoSkippedLine['code']) : lineCode(e), reason: e.message });
    }
  });
  return { pairs, skipped };
}

/** One parsed record → the two dialogues; throws a coded error naming what is wrong. */
export function parseDpoRecord(value: unknown): Omit<DpoPair, 'line'> {
  if (!isObject(value)) throw shape('the line is not a JSON object');
  for (const k of ['prompt', 'chosen', 'rejected'] as const)
    if (value[k] === undefined || value[k] === null) throw shape(`no "${k}" field (a pair needs prompt, chosen and rejected)`);
  const prompt = promptMessages(value.prompt);
  const last = prompt.at(-1) as Record<string, unknown>;
  if (last.role === 'assistant') throw shape('the prompt ends with an assistant turn: the replies must answer a user or tool turn');
  const chosen = reply(value.chosen, 'chosen');
  const rejected = reply(value.rejected, 'rejected');
  if (JSON.stringify(chosen) === JSON.stringify(rejected))
    throw new DpoDataError('TRAIN_DPO_SAME_REPLY', 'chosen and rejected are the same reply: there is nothing to prefer');
  return { chosen: dialogue(prompt, chosen, value.tools, 'chosen'), rejected: dialogue(prompt, rejected, value.tools, 'rejected') };
}

function promptMessages(p: unknown): Record<string, unknown>[] {
  if (typeof p === 'string') {
    if (p === '') throw shape('"prompt" is empty');
    return [{ role: 'user', content: p }];
  }
  if (!Array.isArray(p)) throw shape('"prompt" is neither text nor an array of OpenAI messages');
  if (p.length === 0) throw shape('"prompt" has no messages');
  p.forEach((m, i) => {
    if (!isObject(m) || typeof m.role !== 'string') throw shape(`prompt[${i}] is not an object with a string "role"`);
  });
  return p as Record<string, unknown>[];
}

function reply(r: unknown, field: 'chosen' | 'rejected'): Record<string, unknown> {
  if (typeof r === 'string') return { role: 'assistant', content: r };
  const m = Array.isArray(r) ? (r.length === 1 ? r[0] : undefined) : r;
  if (!isObject(m))
    throw shape(`"${field}" is neither text, an assistant message object, nor an array holding exactly one assistant message`);
  if (m.role !== undefined && m.role !== 'assistant')
    throw shape(`"${field}" has role ${JSON.stringify(m.role)}; a reply is an assistant message`);
  return { ...m, role: 'assistant' };
}

/**
 * Prompt + reply as one OpenAI record, read by SFT's own reader (so tool calls render the way
 * the server renders them); then every assistant turn but the reply is context only.
 */
function dialogue(prompt: Record<string, unknown>[], r: Record<string, unknown>, tools: unknown, field: string): SftDialogue {
  const messages = [...prompt, r];
  let d: Omit<SftDialogue, 'line'>;
  try {
    d = parseSftRecord({ messages, ...(tools === undefined ? {} : { tools }) }, 'openai');
  } catch (e) {
    if (e instanceof PuyuError) throw new DpoDataError(lineCode(e), `${field}: ${e.message}`, { cause: e });
    throw e;
  }
  const lastAssistant = d.messages.length - 1;
  const contextOnly = d.messages.flatMap((m, i) => (m.role === 'assistant' && i !== lastAssistant ? [i] : []));
  return { line: 0, ...d, contextOnly: contextOnly.length ? contextOnly : undefined };
}

function lineCode(e: PuyuError): DpoSkippedLine['code'] {
  return /TOOL|ARGUMENTS/.test(e.code) ? 'TRAIN_DPO_BAD_TOOL' : 'TRAIN_DPO_BAD_SHAPE';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const shape = (why: string) => new DpoDataError('TRAIN_DPO_BAD_SHAPE', why);
