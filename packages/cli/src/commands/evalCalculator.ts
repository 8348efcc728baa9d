import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChatMessage, ChatTool, ChatToolCall, Provider, ProviderResult, ToolResultMessage } from '@puyu/client';
import { ConfigError } from '@puyu/core';
import { type OpenAIChatMessage, parseInternLM2Response } from '@puyu/formats/chat';
import {
  type AnswerVerdict,
  CALCULATOR_TARGETS,
  CALCULATOR_TOOL,
  type CalculatorDialogue,
  type CalculatorResponse,
  type CalculatorScoreSummary,
  type CallVerdict,
  calculatorFollowUp,
  calculatorPrompt,
  expectedValue,
  scoreCalculatorCall,
  scoreFinalAnswer,
  summarizeCalculatorScores,
} from '@puyu/train';

/**
 * `puyu eval calculator`: issue 11's tool-use measurement. Each held-out dialogue is asked twice,
 * greedily, over the OpenAI chat route with the calculator tool declared: once for the call (scored
 * from `tool_calls`, or from the raw text when the server does not parse InternLM2's markers), once
 * for the final answer after the calculator's result for the expression the model actually wrote.
 * Loaded by the command's action only, so the CLI starts without @puyu/train.
 */

// Lines quoted in one error: enough to see the pattern, short enough to read.
const MAX_BAD_LINES = 5;

/** Reads held-out JSONL as `writeCalculatorData` writes it; every bad line is named by number. */
export function readCalculatorItems(path: string): CalculatorDialogue[] {
  if (!existsSync(path) || !statSync(path).isFile())
    throw new ConfigError('CLI_INPUT_NOT_FOUND', `--data ${path} does not exist (a heldout.jsonl from puyu train sft's data.generate).`);
  const items: CalculatorDialogue[] = [];
  const bad: string[] = [];
  for (const [i, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    if (line.trim() === '') continue;
    const problem = checkLine(line, (item) => items.push(item));
    if (problem) bad.push(`line ${i + 1}: ${problem}`);
  }
  if (bad.length > 0) {
    const more = bad.length > MAX_BAD_LINES ? `\n  … and ${bad.length - MAX_BAD_LINES} more` : '';
    throw new ConfigError(
      'CLI_BAD_DATA',
      `--data ${path} has ${bad.length} bad line(s):\n  ${bad.slice(0, MAX_BAD_LINES).join('\n  ')}${more}`,
    );
  }
  if (items.length === 0) throw new ConfigError('CLI_BAD_DATA', `--data ${path} has no items.`);
  return items;
}

/** Undefined when the line is a usable item (handed to `ok`), else what is wrong with it. */
function checkLine(line: string, ok: (item: CalculatorDialogue) => void): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  const d = v as Partial<CalculatorDialogue>;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  if (typeof d.id !== 'string') return 'no string "id"';
  if (!Array.isArray(d.messages) || !d.messages.some((m) => m?.role === 'user')) return `${d.id}: "messages" has no user message`;
  if (d.messages.some((m) => typeof m?.content !== 'string' && !(m?.role === 'assistant' && m.content == null)))
    return `${d.id}: every message needs string content`;
  if (!Array.isArray(d.turns) || d.turns.length === 0 || typeof d.turns.at(-1)?.expression !== 'string')
    return `${d.id}: "turns" must end with a turn holding the "expression"`;
  try {
    // The expected value comes from the stored expression: an item the scorer cannot read is bad data.
    expectedValue(d as CalculatorDialogue);
  } catch (e) {
    return `${d.id}: ${e instanceof Error ? e.message : String(e)}`;
  }
  ok(d as CalculatorDialogue);
  return undefined;
}

/** Held-out messages → the client's wire types (the reader checked that every content is text). */
function wire(messages: readonly OpenAIChatMessage[]): (ChatMessage | ToolResultMessage)[] {
  return messages.map((m) => {
    const content = typeof m.content === 'string' ? m.content : '';
    if (m.role === 'tool') return { role: 'tool', content, tool_call_id: m.tool_call_id };
    if (m.role === 'assistant')
      return m.tool_calls?.length ? { role: 'assistant', content, tool_calls: m.tool_calls } : { role: 'assistant', content };
    return { role: m.role === 'user' ? 'user' : 'system', content };
  });
}

/** What the server answered, as written to the verdicts file. */
export interface RecordedResponse {
  content: string;
  tool_calls?: ChatToolCall[];
}

export interface CalculatorItemRecord {
  model: string;
  id: string;
  /** The last turn's expression and result as the data states them, so a verdict reads on its own. */
  expected: { expression: string; result: string };
  /** Where the call was read from: the server's `tool_calls`, the raw text, or no answer (request failed). */
  callSource: 'tool_calls' | 'text' | 'none';
  call: CallVerdict;
  answer?: AnswerVerdict;
  response?: RecordedResponse;
  final?: RecordedResponse;
  /** A request that failed after retries: the item counts as wrong. */
  error?: { code: string; message: string };
}

export interface CalculatorRunOptions {
  provider: Provider;
  model: string;
  concurrency: number;
  maxTokens: number;
}

function recorded(r: ProviderResult & { ok: true }): RecordedResponse {
  const calls = r.toolCalls?.[0];
  return calls?.length ? { content: r.texts[0] ?? '', tool_calls: calls } : { content: r.texts[0] ?? '' };
}

/** Asks and scores one item; provider failures become data, never exceptions. */
async function evaluateItem(item: CalculatorDialogue, o: CalculatorRunOptions): Promise<CalculatorItemRecord> {
  // The item's own tools are what it was trained with; the generator always writes CALCULATOR_TOOL.
  const tools = (item.tools?.length ? item.tools : [CALCULATOR_TOOL]) as ChatTool[];
  const params = { temperature: 0, maxTokens: o.maxTokens };
  const t = item.turns.at(-1)!;
  const base = { model: o.model, id: item.id, expected: { expression: t.expression, result: t.result } };
  const first = await o.provider.call({ kind: 'chat', messages: wire(calculatorPrompt(item)), tools, params });
  if (!first.ok) {
    const call: CallVerdict = { wellFormed: false, correct: false, reason: 'request failed' };
    return { ...base, callSource: 'none', call, error: { code: first.error.code, message: first.error.message } };
  }
  const response = recorded(first);
  // A server that parses InternLM2's action markers answers tool_calls; one that does not leaves them in the text.
  const scored: CalculatorResponse = response.tool_calls ? response : response.content;
  const call = scoreCalculatorCall(item, scored);
  const record: CalculatorItemRecord = {
    ...base,
    callSource: response.tool_calls ? 'tool_calls' : 'text',
    call,
    response,
  };
  // Sent back as the assistant turn's content beside its call: the prose only, never the markers
  // (the server renders the call from tool_calls; markers in content would repeat it).
  const callText = response.tool_calls ? response.content : parseInternLM2Response(response.content).content;
  const followUp = calculatorFollowUp(item, call, callText);
  if (!followUp) return record;
  const second = await o.provider.call({ kind: 'chat', messages: wire(followUp), tools, params });
  if (!second.ok) {
    record.error = { code: second.error.code, message: second.error.message };
    record.answer = { correct: false };
    return record;
  }
  record.final = recorded(second);
  record.answer = scoreFinalAnswer(item, record.final);
  return record;
}

/** Runs every item with `concurrency` in flight; records come back in item order. */
export async function runCalculatorEval(items: readonly CalculatorDialogue[], o: CalculatorRunOptions): Promise<CalculatorItemRecord[]> {
  const out: CalculatorItemRecord[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await evaluateItem(items[i], o);
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, items.length) }, worker));
  return out;
}

export function writeRecords(path: string, records: readonly CalculatorItemRecord[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

const met = (ok: boolean) => (ok ? 'met' : 'not met');

/** A Markdown table: one row per model, the rates and whether issue 11's targets are met. */
export function calculatorTable(rows: readonly { model: string; summary: CalculatorScoreSummary; errors: number }[]): string {
  const t = CALCULATOR_TARGETS;
  const lines = [
    `| model | items | well-formed call | correct call (≥ ${t.correctCallRate.toFixed(2)}) | final answer (≥ ${t.finalAnswerRate.toFixed(2)}) | request errors |`,
    '|---|---|---|---|---|---|',
    ...rows.map(
      ({ model, summary: s, errors }) =>
        `| ${model} | ${s.items} | ${s.wellFormedRate.toFixed(3)} | ${s.correctCallRate.toFixed(3)} ${met(s.meetsCallTarget)} | ${s.finalAnswerRate.toFixed(3)} ${met(s.meetsAnswerTarget)} | ${errors} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export const summarize = (records: readonly CalculatorItemRecord[]) => ({
  summary: summarizeCalculatorScores(records),
  errors: records.filter((r) => r.error).length,
});
