/**
 * OpenCompass-style default templates per dataset (wording from its `*_gen` configs; the
 * reasoning datasets use its 0-shot "reason step by step … \boxed{}" form for chat models and a
 * few-shot completion form for base models).
 */
import { type EvalSample, OPTION_LABELS, type PromptTemplate } from '../types.js';
import { makeTemplate, optionLines } from './makeTemplate.js';

const subjectName = (s: EvalSample): string => (s.subset ?? '').replace(/_/g, ' ');
const letters = (s: EvalSample): string[] => (s.choices ?? []).map((_, i) => OPTION_LABELS[i]);

export const mmluTemplate: PromptTemplate = makeTemplate({
  id: 'mmlu-gen-v1',
  preamble: (s) =>
    `There is a single choice question about ${subjectName(s)}. Answer the question by replying ${letters(s).slice(0, -1).join(', ')} or ${letters(s).at(-1)}.\n`,
  question: (s) => `Question: ${s.question}\n${optionLines(s.choices)}\nAnswer: `,
  answer: (s) => s.gold,
  separator: '\n',
  stop: ['\nQuestion:'],
  maxTokens: 32,
  continuations: letters,
});

export const arcTemplate: PromptTemplate = makeTemplate({
  id: 'arc-gen-v1',
  question: (s) => `Question: ${s.question}\n${optionLines(s.choices)}\nAnswer: `,
  answer: (s) => s.gold,
  separator: '\n',
  stop: ['\nQuestion:'],
  maxTokens: 32,
  continuations: letters,
});

export const cmmluTemplate: PromptTemplate = makeTemplate({
  id: 'cmmlu-gen-v1',
  preamble: (s) => `以下是关于${String(s.meta.subjectZh ?? subjectName(s))}的单项选择题，请直接给出正确答案的选项。\n`,
  question: (s) => `题目：${s.question}\n${optionLines(s.choices)}\n答案是: `,
  answer: (s) => s.gold,
  separator: '\n',
  stop: ['\n题目：'],
  maxTokens: 32,
  continuations: letters,
});

export const cevalTemplate: PromptTemplate = makeTemplate({
  id: 'ceval-gen-v1',
  preamble: (s) => `以下是中国关于${String(s.meta.subjectZh ?? subjectName(s))}考试的单项选择题，请选出其中的正确答案。\n`,
  question: (s) => `${s.question}\n${optionLines(s.choices)}\n答案: `,
  answer: (s) => s.gold,
  separator: '\n',
  stop: ['\n\n'],
  maxTokens: 32,
  continuations: letters,
});

/** GSM8K's `<<48/2=24>>` calculator annotations are for the original training, not for prompts. */
const stripCalc = (t: string): string => t.replace(/<<[^>]*>>/g, '');

export const gsm8kTemplate: PromptTemplate = makeTemplate({
  id: 'gsm8k-gen-v1',
  question: (s, style) =>
    style === 'chat'
      ? `${s.question}\nPlease reason step by step, and put your final answer within \\boxed{}.`
      : `Question: ${s.question}\nLet's think step by step\nAnswer:\n`,
  answer: (s, style) => {
    const steps = stripCalc((s.solution ?? '').split('\n####')[0]).trim();
    return style === 'chat' ? `${steps}\nThe answer is \\boxed{${s.gold}}.` : `${steps}\nThe answer is ${s.gold}`;
  },
  stop: ['Question:', '\n\n\n'],
  maxTokens: 512,
});

export const mathTemplate: PromptTemplate = makeTemplate({
  id: 'math-gen-v1',
  question: (s, style) =>
    style === 'chat'
      ? `${s.question}\nPlease reason step by step, and put your final answer within \\boxed{}.`
      : `Problem:\n${s.question}\n\nSolution:\n`,
  answer: (s) => `${s.solution ?? ''}\nFinal Answer: The final answer is $${s.gold}$. I hope it is correct.`,
  stop: ['Problem:', '\n\n\n'],
  maxTokens: 1024,
});

/** BBH: OpenCompass's wording around the task's own 3-shot CoT prompt (carried in `meta.cotPrompt`). */
export const bbhTemplate: PromptTemplate = makeTemplate({
  id: 'bbh-gen-v1',
  preamble: (s) => `Follow the given examples and answer the question.\n${String(s.meta.cotPrompt ?? '')}\n\n`,
  question: (s) => `Q: ${s.question}\nA: Let's think step by step.`,
  answer: (s) => ` So the answer is ${s.gold}.`,
  stop: ['\n\nQ:'],
  maxTokens: 512,
});

export const humanevalTemplate: PromptTemplate = makeTemplate({
  id: 'humaneval-gen-v1',
  question: (s, style) =>
    style === 'chat'
      ? `You are an intelligent programming assistant to produce Python algorithmic solutions.\nCan you complete the following Python function?\n\`\`\`python\n${s.question}\n\`\`\``
      : s.question,
  answer: (s) => s.gold,
  // The original HumanEval stop sequences for completion models.
  stop: ['\nclass', '\ndef', '\n#', '\nif', '\nprint'],
  maxTokens: 512,
});
