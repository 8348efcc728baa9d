import type { Conversation } from '../export/exports.js';
import { codeFunction } from './codeFunctions.js';
import { arithmeticProblem, formulaProblem, unitConversion, type WorkedProblem } from './mathProblems.js';
import { type Lang, Rand } from './rng.js';

export type SyntheticKind = 'arithmetic' | 'unit_conversion' | 'formula' | 'function' | 'calculator';

/** The calculator tool as the SFT calculator data declares it (same name, parameters and result format). */
export const CALCULATOR_TOOL = {
  type: 'function' as const,
  function: {
    name: 'calculator',
    description: 'Evaluate an arithmetic expression',
    parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
  },
};

export interface SyntheticRecord {
  id: string;
  kind: SyntheticKind;
  lang: Lang;
  /** XTuner single-turn conversation (worked problems, functions). */
  conversation?: Conversation;
  /** OpenAI messages + tools (calculator tool-call transcripts), what `puyu train sft` reads. */
  messages?: unknown[];
  tools?: unknown[];
  /** The checkable answer, for the flywheel's automatic ranking. */
  answer?: number;
  question: string;
}

function problem(kind: SyntheticKind, r: Rand, lang: Lang): WorkedProblem {
  if (kind === 'unit_conversion') return unitConversion(r, lang);
  if (kind === 'formula') return formulaProblem(r, lang);
  return arithmeticProblem(r, lang);
}

/**
 * Rule-based synthetic data, deterministic for a seed: worked arithmetic word problems, unit
 * conversions and formula evaluations (with step-by-step solutions), calculator tool-call
 * transcripts, and small Python functions with docstrings and tests — in English and Chinese.
 */
export function generateSynthetic(o: { kinds: SyntheticKind[]; count: number; seed?: number; zhShare?: number }): SyntheticRecord[] {
  const r = new Rand(o.seed ?? 1);
  const out: SyntheticRecord[] = [];
  for (let i = 0; i < o.count; i++) {
    const kind = o.kinds[i % o.kinds.length] as SyntheticKind;
    const lang: Lang = r.float() < (o.zhShare ?? 0.4) ? 'zh' : 'en';
    const id = `synth-${kind}-${i}`;
    if (kind === 'function') {
      const c = codeFunction(r, lang);
      out.push({
        id,
        kind,
        lang,
        question: c.instruction,
        conversation: { turns: [{ input: c.instruction, output: `\`\`\`python\n${c.code}\n\n\n${c.tests}\n\`\`\`` }] },
      });
      continue;
    }
    const p = problem(kind === 'calculator' ? 'arithmetic' : kind, r, lang);
    if (kind === 'calculator') {
      const callId = `call_${i}`;
      const final = lang === 'zh' ? `答案是 ${p.answer}。` : `The answer is ${p.answer}.`;
      out.push({
        id,
        kind,
        lang,
        question: p.question,
        answer: p.answer,
        tools: [CALCULATOR_TOOL],
        messages: [
          { role: 'user', content: p.question },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: callId, type: 'function', function: { name: 'calculator', arguments: JSON.stringify({ expression: p.expression }) } },
            ],
          },
          { role: 'tool', tool_call_id: callId, content: String(p.answer) },
          { role: 'assistant', content: final },
        ],
      });
      continue;
    }
    out.push({
      id,
      kind,
      lang,
      question: p.question,
      answer: p.answer,
      conversation: { turns: [{ input: p.question, output: p.solution }] },
    });
  }
  return out;
}

/** Evaluates a calculator expression of + - * / and parentheses (the check for generated transcripts). */
export function evalExpression(expr: string): number {
  let i = 0;
  const s = expr.replace(/\s+/g, '');
  const num = (): number => {
    if (s[i] === '(') {
      i++;
      const v = sum();
      i++;
      return v;
    }
    if (s[i] === '-') {
      i++;
      return -num();
    }
    const m = /^\d+(\.\d+)?/.exec(s.slice(i));
    if (!m) throw new Error(`bad expression at ${i}: ${expr}`);
    i += m[0].length;
    return Number(m[0]);
  };
  const prod = (): number => {
    let v = num();
    while (s[i] === '*' || s[i] === '/') v = s[i++] === '*' ? v * num() : v / num();
    return v;
  };
  const sum = (): number => {
    let v = prod();
    while (s[i] === '+' || s[i] === '-') v = s[i++] === '+' ? v + prod() : v - prod();
    return v;
  };
  return sum();
}
