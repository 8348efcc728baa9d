import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpenAIChatMessage, OpenAITool } from '@puyu/formats/chat';
import { CalculatorError, type Expr, evaluateTree, formatExpression, formatNumber, parseExpression } from './expression.js';
import { CalcRng } from './rng.js';
import {
  ANSWER_TEXTS,
  BARE_QUESTIONS,
  bin,
  CALL_TEXTS,
  decimal,
  followUp,
  type Lang,
  num,
  type Question,
  SYSTEM_PROMPTS,
  WORD_PROBLEMS,
} from './templates.js';

/** The one tool every dialogue declares, exactly as the issue specifies it. */
export const CALCULATOR_TOOL: OpenAITool = {
  type: 'function',
  function: {
    name: 'calculator',
    description: 'Evaluate an arithmetic expression',
    parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
  },
};

export interface CalculatorTurn {
  kind: 'bare' | 'word' | 'followup';
  question: string;
  /**
   * The expression the assistant passes to the calculator. For a bare question it is written
   * exactly as the question shows it (spacing and × ÷ − included; the calculator parses them),
   * so the model copies a span verbatim, which a tiny model learns far sooner than rewriting
   * while copying; word problems and follow-ups use the canonical ASCII form.
   */
  expression: string;
  /** The formatted result, as the tool returns it and the final answer states it. */
  result: string;
}

/** One JSONL line: OpenAI `messages` + `tools` (what the SFT reader consumes) and metadata. */
export interface CalculatorDialogue {
  id: string;
  lang: Lang;
  tools: OpenAITool[];
  messages: OpenAIChatMessage[];
  turns: CalculatorTurn[];
}

export interface CalculatorDataOptions {
  /** Number of training dialogues. */
  train: number;
  /** Default 0. The held-out set depends on the seed only, never on `train`. */
  seed?: number;
  /** Held-out dialogues. Default 200. */
  heldout?: number;
  /** Share of Chinese dialogues. Default 0.4. */
  zhShare?: number;
  /** Share of dialogues with a follow-up question. Default 0.25. */
  multiTurnShare?: number;
  /**
   * Share of training dialogues with a follow-up, when it should differ from the held-out set's
   * `multiTurnShare` (the held-out set never changes with it). Follow-ups are where a small model
   * is weakest: it must map "divide that by 25" to `prev/25`. Default: `multiTurnShare`.
   */
  trainMultiTurnShare?: number;
  /** Share of dialogues with a system prompt. Default 0.3. */
  systemShare?: number;
  /** Share of word problems among first questions (the rest are bare expressions). Default 0.5. */
  wordShare?: number;
}

export interface CalculatorData {
  train: CalculatorDialogue[];
  heldout: CalculatorDialogue[];
}

type Traits = { lang: Lang; multiTurn: boolean; system: boolean; word: boolean };

const HELDOUT_SEED_SALT = 0x68e1d0;
// Retries before giving up on a dialogue that avoids the held-out set; far above what the
// random space needs (collisions are rare), so hitting it means the options are degenerate.
const MAX_ATTEMPTS = 1000;

function leaf(rng: CalcRng): Expr {
  const r = rng.next();
  const value = r < 0.6 ? rng.int(1, 99) : r < 0.8 ? rng.int(100, 999) : decimal(rng, 99, rng.chance(0.5) ? 1 : 2);
  return rng.chance(0.05) ? { kind: 'neg', arg: num(value) } : num(value);
}

/** A random tree with `ops` binary operators; divisions of integer leaves are mostly exact. */
function randomTree(rng: CalcRng, ops: number): Expr {
  if (ops === 0) return leaf(rng);
  const leftOps = rng.int(0, ops - 1);
  const op = rng.pick(['+', '-', '*', '/'] as const);
  const right = randomTree(rng, ops - 1 - leftOps);
  if (op === '/' && leftOps === 0 && right.kind === 'num' && Number.isInteger(right.value) && right.value <= 99 && rng.chance(0.7)) {
    return bin('/', num(right.value * rng.int(2, 30)), right);
  }
  return bin(op, randomTree(rng, leftOps), right);
}

function bareQuestion(rng: CalcRng, lang: Lang): Question & { shown: string } {
  for (;;) {
    const tree = randomTree(rng, rng.pick([1, 1, 2, 2, 3]));
    let value: number;
    try {
      value = evaluateTree(tree);
    } catch {
      continue; // a sub-expression like (5-5) was a divisor: never generate division by zero
    }
    if (Math.abs(value) > 1e6) continue;
    const style = { spaced: rng.chance(0.6), symbols: rng.chance(lang === 'zh' ? 0.6 : 0.3) };
    const shown = formatExpression(tree, style);
    const template = rng.pick(BARE_QUESTIONS[lang]);
    return { tree, shown, text: { en: template.replace('{e}', shown), zh: template.replace('{e}', shown) } };
  }
}

function makeDialogue(rng: CalcRng, id: string, t: Traits): CalculatorDialogue {
  const lang = t.lang;
  const messages: OpenAIChatMessage[] = [];
  if (t.system) messages.push({ role: 'system', content: rng.pick(SYSTEM_PROMPTS[lang]) });
  const turns: CalculatorTurn[] = [];
  const first: Question & { shown?: string } = t.word ? rng.pick(WORD_PROBLEMS)(rng) : bareQuestion(rng, lang);
  const steps: Array<{ kind: CalculatorTurn['kind']; question: string; tree: Expr; shown?: string }> = [
    { kind: t.word ? 'word' : 'bare', question: first.text[lang], tree: first.tree, shown: first.shown },
  ];
  let value = evaluateTree(first.tree);
  if (t.multiTurn) {
    for (;;) {
      const f = followUp(rng);
      // The follow-up computes with the number the tool returned, as a model would have to.
      const tree = bin(f.op, num(Number(formatNumber(value))), num(f.k));
      const next = evaluateTree(tree);
      if (Math.abs(next) > 1e7) continue;
      steps.push({ kind: 'followup', question: f.text[lang], tree });
      value = next;
      break;
    }
  }
  steps.forEach((step, i) => {
    const expression = step.shown ?? formatExpression(step.tree);
    const result = formatNumber(evaluateTree(step.tree));
    const callId = `call_${id}_${i}`;
    const shown = formatExpression(step.tree, { spaced: true });
    messages.push(
      { role: 'user', content: step.question },
      {
        role: 'assistant',
        content: rng.pick(CALL_TEXTS[lang]),
        tool_calls: [{ id: callId, type: 'function', function: { name: 'calculator', arguments: JSON.stringify({ expression }) } }],
      },
      { role: 'tool', tool_call_id: callId, content: toolResultJson(result) },
      { role: 'assistant', content: rng.pick(ANSWER_TEXTS[lang]).replace('{e}', shown).replace('{r}', result) },
    );
    turns.push({ kind: step.kind, question: step.question, expression, result });
  });
  return { id, lang, tools: [CALCULATOR_TOOL], messages, turns };
}

/** The calculator tool's reply: `{"result": 42}` (Python json.dumps spacing, as lagent sends). */
export function toolResultJson(result: string): string {
  return `{"result": ${result}}`;
}

/** `count` flags of which exactly round(count × share) are true, in seeded random order. */
function quota(rng: CalcRng, count: number, share: number): boolean[] {
  const flags = Array.from({ length: count }, (_, i) => i < Math.round(count * share));
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [flags[i], flags[j]] = [flags[j] as boolean, flags[i] as boolean];
  }
  return flags;
}

function checkOptions(o: CalculatorDataOptions): Required<CalculatorDataOptions> {
  const base = { seed: 0, heldout: 200, zhShare: 0.4, multiTurnShare: 0.25, systemShare: 0.3, wordShare: 0.5, ...o };
  const full = { ...base, trainMultiTurnShare: o.trainMultiTurnShare ?? base.multiTurnShare };
  const bad = (why: string) => new CalculatorError('TRAIN_CALC_BAD_OPTIONS', `Calculator data options: ${why}.`, { details: { ...full } });
  for (const key of ['train', 'heldout'] as const) {
    if (!Number.isSafeInteger(full[key]) || full[key] < 0) throw bad(`${key} must be a non-negative integer, got ${full[key]}`);
  }
  if (!Number.isSafeInteger(full.seed)) throw bad(`seed must be an integer, got ${full.seed}`);
  for (const key of ['zhShare', 'multiTurnShare', 'trainMultiTurnShare', 'systemShare', 'wordShare'] as const) {
    if (!(full[key] >= 0 && full[key] <= 1)) throw bad(`${key} must be between 0 and 1, got ${full[key]}`);
  }
  return full;
}

/** Keys a dialogue must not share with the held-out set: every expression and every question. */
function dialogueKeys(d: CalculatorDialogue): string[] {
  // Follow-up phrasings ("Now multiply that by 3.") are templates and repeat by design; their
  // expressions and the whole conversation's user text still have to be new.
  return [
    ...d.turns.map((t) => `expr:${formatExpression(parseExpression(t.expression))}`),
    `q:${d.turns[0]?.question}`,
    `dialogue:${d.turns.map((t) => t.question).join('\n')}`,
  ];
}

function generateSplit(
  rng: CalcRng,
  split: string,
  count: number,
  o: Required<CalculatorDataOptions>,
  avoid: Set<string>,
  reserve: boolean,
): CalculatorDialogue[] {
  const zh = quota(rng, count, o.zhShare);
  const multi = quota(rng, count, split === 'train' ? o.trainMultiTurnShare : o.multiTurnShare);
  const system = quota(rng, count, o.systemShare);
  const word = quota(rng, count, o.wordShare);
  const out: CalculatorDialogue[] = [];
  for (let i = 0; i < count; i++) {
    const traits: Traits = { lang: zh[i] ? 'zh' : 'en', multiTurn: multi[i] === true, system: system[i] === true, word: word[i] === true };
    const id = `calc-${split}-${String(i).padStart(6, '0')}`;
    for (let attempt = 0; ; attempt++) {
      if (attempt === MAX_ATTEMPTS) {
        throw new CalculatorError(
          'TRAIN_CALC_BAD_OPTIONS',
          `Cannot generate ${split} dialogue ${i} distinct from the held-out set; use fewer dialogues.`,
        );
      }
      const d = makeDialogue(rng, id, traits);
      const keys = dialogueKeys(d);
      if (keys.some((k) => avoid.has(k))) continue;
      if (reserve) for (const k of keys) avoid.add(k);
      out.push(d);
      break;
    }
  }
  return out;
}

/**
 * Generates the split. The held-out set comes from its own seed stream and is made of distinct
 * dialogues; train dialogues share no expression and no question text with it (train itself may
 * repeat short expressions, which is harmless for SFT).
 */
export function generateCalculatorData(options: CalculatorDataOptions): CalculatorData {
  const o = checkOptions(options);
  const heldoutKeys = new Set<string>();
  const heldoutRng = new CalcRng((o.seed ^ HELDOUT_SEED_SALT) >>> 0);
  // Held-out dialogues must also differ from each other, so each reserves its keys as it goes.
  const heldout = generateSplit(heldoutRng, 'heldout', o.heldout, o, heldoutKeys, true);
  const train = generateSplit(new CalcRng(o.seed), 'train', o.train, o, heldoutKeys, false);
  return { train, heldout };
}

export interface CalculatorSplitStats {
  dialogues: number;
  zh: number;
  en: number;
  multiTurn: number;
  system: number;
  word: number;
  toolCalls: number;
}

export function calculatorStats(dialogues: readonly CalculatorDialogue[]): CalculatorSplitStats {
  return {
    dialogues: dialogues.length,
    zh: dialogues.filter((d) => d.lang === 'zh').length,
    en: dialogues.filter((d) => d.lang === 'en').length,
    multiTurn: dialogues.filter((d) => d.turns.length > 1).length,
    system: dialogues.filter((d) => d.messages[0]?.role === 'system').length,
    word: dialogues.filter((d) => d.turns[0]?.kind === 'word').length,
    toolCalls: dialogues.reduce((n, d) => n + d.turns.length, 0),
  };
}

export const toJsonl = (dialogues: readonly CalculatorDialogue[]): string => dialogues.map((d) => `${JSON.stringify(d)}\n`).join('');

/** Writes `train.jsonl` and `heldout.jsonl` into `dir` (created if missing) and returns statistics. */
export async function writeCalculatorData(
  dir: string,
  options: CalculatorDataOptions,
): Promise<{ train: CalculatorSplitStats; heldout: CalculatorSplitStats; files: { train: string; heldout: string } }> {
  const data = generateCalculatorData(options);
  await mkdir(dir, { recursive: true });
  const files = { train: join(dir, 'train.jsonl'), heldout: join(dir, 'heldout.jsonl') };
  await writeFile(files.train, toJsonl(data.train));
  await writeFile(files.heldout, toJsonl(data.heldout));
  return { train: calculatorStats(data.train), heldout: calculatorStats(data.heldout), files };
}
