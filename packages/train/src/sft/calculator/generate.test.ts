import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromOpenAIMessages, fromOpenAITools, parseInternLM2Response, renderInternLM2Chat } from '@puyu/formats/chat';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSftJsonl } from '../data/readSftJsonl.js';
import { CalculatorError, evaluateExpression, formatNumber, parseExpression } from './expression.js';
import {
  CALCULATOR_TOOL,
  type CalculatorDialogue,
  calculatorStats,
  generateCalculatorData,
  toJsonl,
  writeCalculatorData,
} from './generate.js';

const data = generateCalculatorData({ train: 3000, seed: 11 });
const all = [...data.train, ...data.heldout];
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('trainMultiTurnShare', () => {
  it('changes the share of follow-ups in train only; the held-out set stays byte for byte the same', () => {
    const more = generateCalculatorData({ train: 1000, seed: 11, trainMultiTurnShare: 0.7 });
    const multi = (ds: CalculatorDialogue[]) => ds.filter((d) => d.turns.length > 1).length / ds.length;
    expect(multi(more.train)).toBeCloseTo(0.7, 2);
    expect(multi(data.train)).toBeCloseTo(0.25, 2);
    expect(JSON.stringify(more.heldout)).toBe(JSON.stringify(data.heldout));
    expect(() => generateCalculatorData({ train: 1, trainMultiTurnShare: 1.5 })).toThrow(/trainMultiTurnShare must be between 0 and 1/);
  });
});

describe('writeCalculatorData', () => {
  it('writes byte-identical files for the same seed, different ones for another seed', async () => {
    const read = async (seed: number) => {
      const dir = await mkdtemp(join(tmpdir(), 'puyu-calc-'));
      dirs.push(dir);
      const stats = await writeCalculatorData(join(dir, 'out'), { train: 500, seed });
      expect(stats.train.dialogues).toBe(500);
      expect(stats.heldout.dialogues).toBe(200);
      return [await readFile(stats.files.train, 'utf8'), await readFile(stats.files.heldout, 'utf8')];
    };
    const [a, b, c] = [await read(3), await read(3), await read(4)];
    expect(a).toEqual(b);
    expect(c[0]).not.toBe(a[0]);
    expect(a[0]?.trimEnd().split('\n')).toHaveLength(500);
    const first = JSON.parse(a[0]?.split('\n')[0] ?? '') as CalculatorDialogue;
    expect(first.tools).toEqual([CALCULATOR_TOOL]);
  });

  it('keeps the held-out set independent of the train size', () => {
    expect(generateCalculatorData({ train: 10, seed: 11 }).heldout).toEqual(data.heldout);
  });

  it('rejects bad options with TRAIN_CALC_BAD_OPTIONS', () => {
    for (const o of [{ train: -1 }, { train: 1.5 }, { train: 5, zhShare: 2 }, { train: 5, seed: Number.NaN }]) {
      expect(() => generateCalculatorData(o)).toThrow(CalculatorError);
    }
  });
});

describe('generated dialogues', () => {
  it('held-out shares no expression or question with train, and its items are distinct', () => {
    const expressions = (ds: CalculatorDialogue[]) => ds.flatMap((d) => d.turns.map((t) => t.expression));
    const firstQuestions = (ds: CalculatorDialogue[]) => ds.map((d) => d.turns[0]?.question);
    const trainExpr = new Set(expressions(data.train));
    const trainQ = new Set(firstQuestions(data.train));
    expect(expressions(data.heldout).filter((e) => trainExpr.has(e))).toEqual([]);
    expect(firstQuestions(data.heldout).filter((q) => trainQ.has(q))).toEqual([]);
    expect(new Set(expressions(data.heldout)).size).toBe(expressions(data.heldout).length);
  });

  it('has the requested language, multi-turn, system and word-problem proportions', () => {
    for (const [split, n] of [
      [data.train, 3000],
      [data.heldout, 200],
    ] as const) {
      const s = calculatorStats(split);
      expect(s).toMatchObject({ dialogues: n, zh: n * 0.4, en: n * 0.6, multiTurn: n * 0.25, system: n * 0.3, word: n * 0.5 });
    }
    const zh = data.train.filter((d) => d.lang === 'zh');
    expect(zh.every((d) => /[\u4e00-\u9fff]/.test(JSON.stringify(d.messages)))).toBe(true);
    expect(data.train.filter((d) => d.lang === 'en').every((d) => !/[\u4e00-\u9fff]/.test(JSON.stringify(d.messages)))).toBe(true);
    const custom = calculatorStats(generateCalculatorData({ train: 100, heldout: 10, zhShare: 0.7, multiTurnShare: 0 }).train);
    expect(custom).toMatchObject({ zh: 70, multiTurn: 0 });
  });

  it("calls with the question's own expression text (bare) or canonical ASCII, and states the value", () => {
    for (const d of all) {
      const calls = d.messages.filter((m) => m.role === 'assistant' && m.tool_calls);
      const results = d.messages.filter((m) => m.role === 'tool');
      expect(calls).toHaveLength(d.turns.length);
      d.turns.forEach((turn, i) => {
        if (turn.kind === 'bare') expect(turn.question).toContain(turn.expression);
        else expect(turn.expression).toMatch(/^[0-9.+\-*/()]+$/);
        const value = evaluateExpression(turn.expression);
        expect(turn.result).toBe(formatNumber(value));
        const call = calls[i];
        expect(call?.role === 'assistant' && JSON.parse(call.tool_calls?.[0]?.function.arguments ?? '')).toEqual({
          expression: turn.expression,
        });
        expect(JSON.parse(String(results[i]?.content))).toEqual({ result: Number(turn.result) });
      });
      const final = d.messages.at(-1);
      expect(final?.role).toBe('assistant');
      expect(
        String(final?.content).endsWith(`${d.turns.at(-1)?.result}.`) || String(final?.content).endsWith(`${d.turns.at(-1)?.result}。`),
      ).toBe(true);
    }
  });

  it('mixes phrasings, decimals, parentheses and all four operators', () => {
    const expressions = data.train.flatMap((d) => d.turns.map((t) => t.expression));
    for (const pattern of [/\+/, /-/, /\*/, /\//, /\(/, /\./, /^-/])
      expect(
        expressions.some((e) => pattern.test(e)),
        String(pattern),
      ).toBe(true);
    const questions = new Set(data.train.map((d) => d.turns[0]?.question.replace(/[\d.]+/g, '#')));
    expect(questions.size).toBeGreaterThan(100);
    expect(data.train.some((d) => /[×÷]/.test(d.turns[0]?.question ?? ''))).toBe(true);
    // Size suited to a tiny model: short expressions.
    expect(Math.max(...expressions.map((e) => e.length))).toBeLessThan(40);
  });

  it('renders into the InternLM2 plugin protocol and the calls parse back to the same expressions', () => {
    const { tools } = fromOpenAITools(data.heldout[0]?.tools ?? []);
    for (const d of all) {
      const text = renderInternLM2Chat(fromOpenAIMessages(d.messages), { tools, addGenerationPrompt: false });
      expect(text).toContain('<|im_start|>system name=<|plugin|>\n[{"name": "calculator"');
      const assistantTurns = text
        .split('<|im_start|>assistant\n')
        .slice(1)
        .map((chunk) => chunk.slice(0, chunk.indexOf('<|im_end|>') + '<|im_end|>'.length));
      const parsed = assistantTurns.map((t) => parseInternLM2Response(t)).filter((p) => p.toolCalls.length > 0);
      expect(parsed.map((p) => p.errors)).toEqual(d.turns.map(() => []));
      expect(parsed.map((p) => p.toolCalls[0])).toEqual(
        d.turns.map((t) => ({ kind: 'plugin', name: 'calculator', parameters: { expression: t.expression } })),
      );
      for (const t of d.turns) expect(() => parseExpression(t.expression)).not.toThrow();
    }
  });
});

describe('with the SFT reader', () => {
  it('every train and held-out line is read as an OpenAI dialogue with the calculator plugin, none skipped', () => {
    for (const split of [data.train.slice(0, 500), data.heldout]) {
      const read = parseSftJsonl(toJsonl(split));
      expect(read.skipped).toEqual([]);
      expect(read.dialogues).toHaveLength(split.length);
      expect(read.dialogues.every((d) => d.tools?.[0]?.name === 'calculator')).toBe(true);
    }
  });
});
