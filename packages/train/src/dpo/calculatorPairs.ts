import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpenAIChatMessage } from '@puyu/formats/chat';
import { type CalculatorDialogue, generateCalculatorData } from '../sft/calculator/generate.js';
import { CalcRng } from '../sft/calculator/rng.js';

/** What makes the rejected reply wrong. */
export type CalculatorPairKind = 'wrong_answer' | 'wrong_expression' | 'malformed_call';

/** One preference line as `puyu train dpo` reads it, plus what kind of pair it is. */
export interface CalculatorPair {
  id: string;
  kind: CalculatorPairKind;
  prompt: OpenAIChatMessage[];
  chosen: OpenAIChatMessage;
  rejected: OpenAIChatMessage;
  tools: CalculatorDialogue['tools'];
}

export interface CalculatorPairOptions {
  train: number;
  heldout: number;
  seed: number;
}

const SALT = 0x0d90;

type AssistantMessage = Extract<OpenAIChatMessage, { role: 'assistant' }>;

/**
 * Preference pairs from the calculator dialogues (the SFT generator, so the held-out pairs share
 * no expression or question with the training pairs). Each pair takes one tool-call turn of a
 * dialogue; the prompt is the dialogue up to that point (as OpenAI messages, with the tool):
 * - `wrong_answer`: after the tool result, chosen = the final answer, rejected = the same
 *   sentence with another number of the same shape in place of the result;
 * - `wrong_expression`: chosen = the correct calculator call, rejected = the call with one
 *   operand of the expression replaced by another number of the same shape;
 * - `malformed_call`: chosen = the correct call, rejected = the call written as plain text
 *   outside the plugin protocol, or with the argument under the wrong key.
 */
export function generateCalculatorPairs(o: CalculatorPairOptions): { train: CalculatorPair[]; heldout: CalculatorPair[] } {
  const data = generateCalculatorData({ train: o.train, heldout: o.heldout, seed: o.seed });
  const rng = new CalcRng((o.seed ^ SALT) >>> 0);
  return { train: data.train.map((d) => pairOf(d, rng)), heldout: data.heldout.map((d) => pairOf(d, rng)) };
}

function pairOf(d: CalculatorDialogue, rng: CalcRng): CalculatorPair {
  const calls = d.messages.flatMap((m, i) => (m.role === 'assistant' && m.tool_calls?.length ? [i] : []));
  const at = rng.pick(calls);
  const call = d.messages[at] as AssistantMessage;
  const answer = d.messages[at + 2];
  const result = d.turns[calls.indexOf(at)]?.result;
  const r = rng.next();
  const base = { id: d.id, tools: d.tools };
  if (r < 0.4 && answer?.role === 'assistant' && typeof answer.content === 'string' && result && answer.content.includes(result)) {
    const rejected = { ...answer, content: answer.content.replace(result, otherNumber(result, rng)) };
    return { ...base, kind: 'wrong_answer', prompt: d.messages.slice(0, at + 2), chosen: answer, rejected };
  }
  const prompt = d.messages.slice(0, at);
  const tc = call.tool_calls?.[0];
  if (!tc) throw new RangeError(`dialogue ${d.id} has no tool call at message ${at}`);
  const expression = (JSON.parse(tc.function.arguments) as { expression: string }).expression;
  if (r < 0.7) {
    const wrong = { ...tc, function: { ...tc.function, arguments: JSON.stringify({ expression: otherOperand(expression, rng) }) } };
    return { ...base, kind: 'wrong_expression', prompt, chosen: call, rejected: { ...call, tool_calls: [wrong] } };
  }
  const rejected: OpenAIChatMessage = rng.chance(0.5)
    ? { role: 'assistant', content: `${call.content ?? ''} calculator(${expression})`.trim() }
    : {
        ...call,
        role: 'assistant',
        tool_calls: [{ ...tc, function: { ...tc.function, arguments: JSON.stringify({ expr: expression }) } }],
      };
  return { ...base, kind: 'malformed_call', prompt, chosen: call, rejected };
}

/**
 * Another number of the same shape: every digit redrawn (a leading digit stays non-zero, so the
 * length and the decimal point are kept), never the same number back. A whole wrong number rather
 * than one changed digit: a model this small learns the first and not the second (see README).
 */
export function otherNumber(text: string, rng: CalcRng): string {
  for (;;) {
    const out = [...text]
      .map((c, i) => {
        if (c < '0' || c > '9') return c;
        const leading = (i === 0 || !/[0-9.]/.test(text[i - 1])) && text[i + 1] !== '.' && c !== '0';
        return String(leading ? rng.int(1, 9) : rng.int(0, 9));
      })
      .join('');
    if (out !== text) return out;
  }
}

/** The expression with one of its numbers replaced by another of the same shape (otherNumber). */
export function otherOperand(expression: string, rng: CalcRng): string {
  const numbers = [...expression.matchAll(/\d+(?:\.\d+)?/g)];
  if (!numbers.length) return `${expression}+1`;
  const m = rng.pick(numbers);
  const at = m.index ?? 0;
  return expression.slice(0, at) + otherNumber(m[0], rng) + expression.slice(at + m[0].length);
}

/** Writes `train.jsonl` and `heldout.jsonl` of preference pairs into `dir`; returns the counts per kind. */
export async function writeCalculatorPairs(
  dir: string,
  o: CalculatorPairOptions,
): Promise<{ files: { train: string; heldout: string }; kinds: Record<'train' | 'heldout', Record<CalculatorPairKind, number>> }> {
  const pairs = generateCalculatorPairs(o);
  await mkdir(dir, { recursive: true });
  const files = { train: join(dir, 'train.jsonl'), heldout: join(dir, 'heldout.jsonl') };
  const jsonl = (ps: CalculatorPair[]) => ps.map((p) => `${JSON.stringify(p)}\n`).join('');
  await writeFile(files.train, jsonl(pairs.train));
  await writeFile(files.heldout, jsonl(pairs.heldout));
  const count = (ps: CalculatorPair[]) => {
    const k: Record<CalculatorPairKind, number> = { wrong_answer: 0, wrong_expression: 0, malformed_call: 0 };
    for (const p of ps) k[p.kind]++;
    return k;
  };
  return { files, kinds: { train: count(pairs.train), heldout: count(pairs.heldout) } };
}
