import type { Expr } from './expression.js';
import type { CalcRng } from './rng.js';

/**
 * Phrasings of the calculator dialogues, English and Chinese. Word problems carry their own
 * expression builder so the question text and the canonical expression can never disagree.
 */

export type Lang = 'en' | 'zh';

export const num = (value: number, text = String(value)): Expr =>
  value < 0 ? { kind: 'neg', arg: num(-value) } : { kind: 'num', value, text };
export const bin = (op: '+' | '-' | '*' | '/', left: Expr, right: Expr): Expr => ({ kind: 'bin', op, left, right });

/** A decimal literal with `places` places, written canonically (no trailing zeros). */
export function decimal(rng: CalcRng, maxWhole: number, places: 1 | 2): number {
  const scale = places === 1 ? 10 : 100;
  return rng.int(1, maxWhole * scale) / scale;
}

export const BARE_QUESTIONS: Record<Lang, readonly string[]> = {
  en: [
    'What is {e}?',
    'Calculate {e}.',
    'Compute {e} for me.',
    'What does {e} equal?',
    '{e} = ?',
    'Can you work out {e}?',
    'Please evaluate {e}.',
    'How much is {e}?',
  ],
  zh: ['{e} 等于多少？', '计算 {e}', '请帮我算一下 {e}。', '{e} 的结果是多少？', '{e} = ?', '算一算：{e}', '{e}等于几？', '帮我计算{e}。'],
};

export const CALL_TEXTS: Record<Lang, readonly string[]> = {
  en: [
    'Let me calculate that.',
    "I'll use the calculator.",
    'Let me work that out.',
    'Sure, calculating now.',
    'I will compute it with the calculator.',
  ],
  zh: ['我来算一下。', '让我用计算器算一算。', '好的，我来计算。', '稍等，我算一下。', '我用计算器帮你算。'],
};

/** `{r}` is the result; every answer ends with it so "the last number" is the answer. */
export const ANSWER_TEXTS: Record<Lang, readonly string[]> = {
  en: ['The answer is {r}.', 'The result is {r}.', 'It comes to {r}.', '{e} = {r}.', 'That makes {r}.'],
  zh: ['答案是{r}。', '结果是 {r}。', '计算结果为{r}。', '{e} = {r}。', '一共是{r}。'],
};

export const SYSTEM_PROMPTS: Record<Lang, readonly string[]> = {
  en: [
    'You are a helpful assistant. Use the calculator tool for arithmetic.',
    'You are a math assistant with access to a calculator.',
    'Answer arithmetic questions by calling the calculator, then state the result.',
  ],
  zh: ['你是一个乐于助人的助手，遇到算术题请使用计算器工具。', '你是数学助手，可以调用计算器。', '请调用计算器回答算术问题，并给出结果。'],
};

export interface Question {
  text: Record<Lang, string>;
  tree: Expr;
}

const NAMES: Record<Lang, readonly string[]> = {
  en: ['Tom', 'Anna', 'Li Lei', 'Maria', 'Sam', 'Wang Fang', 'Lucy', 'Ben'],
  zh: ['小明', '小红', '李雷', '王芳', '张伟', '小刚', '丽丽', '阿强'],
};

type WordProblem = (rng: CalcRng) => Question;

/** Word problems; numbers are kept to what a tiny model can copy (≤ 4 digits, ≤ 2 places). */
export const WORD_PROBLEMS: readonly WordProblem[] = [
  (rng) => {
    const [a, b, i] = [rng.int(2, 500), rng.int(2, 500), rng.int(0, 7)];
    return {
      text: {
        en: `${NAMES.en[i]} has ${a} apples and buys ${b} more. How many apples are there now?`,
        zh: `${NAMES.zh[i]}有${a}个苹果，又买了${b}个，现在一共有多少个苹果？`,
      },
      tree: bin('+', num(a), num(b)),
    };
  },
  (rng) => {
    const a = rng.int(50, 2000);
    const b = rng.int(1, a - 1);
    return {
      text: {
        en: `A library had ${a} books and lent out ${b}. How many books are left?`,
        zh: `图书馆有${a}本书，借出了${b}本，还剩多少本？`,
      },
      tree: bin('-', num(a), num(b)),
    };
  },
  (rng) => {
    const [a, b] = [rng.int(2, 99), rng.int(2, 99)];
    return {
      text: { en: `One box holds ${a} pencils. How many pencils are in ${b} boxes?`, zh: `每盒有${a}支铅笔，${b}盒一共有多少支？` },
      tree: bin('*', num(a), num(b)),
    };
  },
  (rng) => {
    const b = rng.int(2, 12);
    const a = rng.chance(0.6) ? b * rng.int(2, 200) : rng.int(10, 2000);
    return {
      text: {
        en: `${a} yuan is shared equally among ${b} people. How much does each person get?`,
        zh: `${a}元平均分给${b}个人，每人分到多少元？`,
      },
      tree: bin('/', num(a), num(b)),
    };
  },
  (rng) => {
    const [p, n] = [decimal(rng, 50, 2), rng.int(2, 20)];
    return {
      text: { en: `A notebook costs ${p} dollars. How much do ${n} notebooks cost?`, zh: `一本笔记本${p}元，买${n}本要多少元？` },
      tree: bin('*', num(p), num(n)),
    };
  },
  (rng) => {
    const [p, n] = [decimal(rng, 30, 1), rng.int(2, 6)];
    const m = Math.ceil((p * n) / 10) * 10 + rng.pick([0, 10, 50]);
    return {
      text: {
        en: `You buy ${n} tickets at ${p} each and pay with ${m}. How much change do you get?`,
        zh: `每张票${p}元，买${n}张，付了${m}元，应找回多少元？`,
      },
      tree: bin('-', num(m), bin('*', num(p), num(n))),
    };
  },
  (rng) => {
    const [v, t] = [rng.int(20, 120), rng.chance(0.7) ? rng.int(2, 12) : decimal(rng, 9, 1)];
    return {
      text: {
        en: `A car travels at ${v} km per hour for ${t} hours. How far does it go?`,
        zh: `一辆车每小时行驶${v}千米，行驶了${t}小时，一共行驶多少千米？`,
      },
      tree: bin('*', num(v), num(t)),
    };
  },
  (rng) => {
    const [a, b, c] = [rng.int(40, 100), rng.int(40, 100), rng.int(40, 100)];
    return {
      text: {
        en: `The test scores are ${a}, ${b} and ${c}. What is their average?`,
        zh: `三次考试成绩是${a}、${b}和${c}分，平均分是多少？`,
      },
      tree: bin('/', bin('+', bin('+', num(a), num(b)), num(c)), num(3)),
    };
  },
  (rng) => {
    const [a, b] = [rng.int(2, 300), rng.int(2, 300)];
    return {
      text: {
        en: `A rectangle is ${a} m long and ${b} m wide. What is its perimeter?`,
        zh: `一个长方形长${a}米，宽${b}米，周长是多少米？`,
      },
      tree: bin('*', bin('+', num(a), num(b)), num(2)),
    };
  },
  (rng) => {
    const [a, b] = [rng.int(-10, 35), rng.int(1, 30)];
    return {
      text: {
        en: `The temperature was ${a} degrees and dropped by ${b} degrees. What is it now?`,
        zh: `气温是${a}度，下降了${b}度，现在是多少度？`,
      },
      tree: bin('-', num(a), num(b)),
    };
  },
  (rng) => {
    const [n, p, q, i] = [rng.int(2, 9), decimal(rng, 20, 1), decimal(rng, 99, 1), rng.int(0, 7)];
    return {
      text: {
        en: `${NAMES.en[i]} buys ${n} pens at ${p} each and a bag for ${q}. How much is spent in total?`,
        zh: `${NAMES.zh[i]}买了${n}支笔，每支${p}元，还买了一个${q}元的书包，一共花了多少元？`,
      },
      tree: bin('+', bin('*', num(p), num(n)), num(q)),
    };
  },
  (rng) => {
    const [a, b] = [rng.int(2, 60), rng.int(2, 60)];
    return {
      text: {
        en: `A garden is ${a} m by ${b} m. What is its area in square metres?`,
        zh: `一块菜地长${a}米，宽${b}米，面积是多少平方米？`,
      },
      tree: bin('*', num(a), num(b)),
    };
  },
];

type FollowUp = { text: Record<Lang, string>; op: '+' | '-' | '*' | '/'; k: number };

/** A follow-up question that refers to the previous result ("that") instead of repeating it. */
export function followUp(rng: CalcRng): FollowUp {
  const k = rng.chance(0.8) ? rng.int(2, 50) : decimal(rng, 20, 1);
  return rng.pick<FollowUp>([
    { op: '*', k, text: { en: `Now multiply that by ${k}.`, zh: `再乘以${k}呢？` } },
    { op: '*', k, text: { en: `What is ${k} times that?`, zh: `把这个结果乘${k}是多少？` } },
    { op: '+', k, text: { en: `And if you add ${k} to it?`, zh: `再加上${k}是多少？` } },
    { op: '+', k, text: { en: `Add ${k} to that result.`, zh: `结果加${k}等于多少？` } },
    { op: '-', k, text: { en: `Subtract ${k} from that.`, zh: `把结果减去${k}。` } },
    { op: '-', k, text: { en: `What is that minus ${k}?`, zh: `这个数减${k}是多少？` } },
    { op: '/', k, text: { en: `What is that divided by ${k}?`, zh: `这个结果除以${k}是多少？` } },
    { op: '/', k, text: { en: `Divide that by ${k}.`, zh: `再除以${k}呢？` } },
  ]);
}
