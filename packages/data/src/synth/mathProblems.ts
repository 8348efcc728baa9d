import type { Lang, Rand } from './rng.js';

/** A generated problem with a worked solution and a checkable numeric answer. */
export interface WorkedProblem {
  kind: 'arithmetic' | 'unit_conversion' | 'formula';
  lang: Lang;
  question: string;
  /** Step-by-step solution ending with the answer line. */
  solution: string;
  /** Calculator expression (ASCII) whose value is the answer. */
  expression: string;
  answer: number;
}

/** Rounds to at most 4 decimals and prints without trailing zeros. */
export function fmt(x: number): string {
  return String(Math.round(x * 10_000) / 10_000);
}

const NAMES = { en: ['Lin', 'Maya', 'Omar', 'Zhang Wei', 'Ana'], zh: ['小明', '李华', '王芳', '张伟', '陈静'] };
const ITEMS = { en: ['apples', 'notebooks', 'tickets', 'pencils'], zh: ['苹果', '笔记本', '门票', '铅笔'] };

/** A two-step arithmetic word problem (buy, then share or pay), GSM8K-style, with its working. */
export function arithmeticProblem(r: Rand, lang: Lang): WorkedProblem {
  const name = r.pick(NAMES[lang]);
  const item = r.pick(ITEMS[lang]);
  const n = r.int(3, 24);
  const price = r.int(2, 15);
  const paid = Math.ceil((n * price) / 50) * 50 + r.pick([0, 50, 100]);
  const cost = n * price;
  const change = paid - cost;
  if (lang === 'zh')
    return {
      kind: 'arithmetic',
      lang,
      question: `${name}买了${n}个${item}，每个${price}元，付了${paid}元。应该找回多少元？`,
      solution: `总价：${n} × ${price} = ${cost}元。\n找零：${paid} - ${cost} = ${change}元。\n答案：${change}`,
      expression: `${paid} - ${n} * ${price}`,
      answer: change,
    };
  return {
    kind: 'arithmetic',
    lang,
    question: `${name} buys ${n} ${item} at $${price} each and pays with $${paid}. How much change does ${name} get?`,
    solution: `The ${item} cost ${n} × ${price} = $${cost}.\nThe change is ${paid} - ${cost} = $${change}.\nAnswer: ${change}`,
    expression: `${paid} - ${n} * ${price}`,
    answer: change,
  };
}

const UNITS: { from: [string, string]; to: [string, string]; factor: number }[] = [
  { from: ['kilometres', '千米'], to: ['metres', '米'], factor: 1000 },
  { from: ['hours', '小时'], to: ['minutes', '分钟'], factor: 60 },
  { from: ['kilograms', '千克'], to: ['grams', '克'], factor: 1000 },
  { from: ['miles', '英里'], to: ['kilometres', '千米'], factor: 1.609344 },
  { from: ['litres', '升'], to: ['millilitres', '毫升'], factor: 1000 },
  { from: ['inches', '英寸'], to: ['centimetres', '厘米'], factor: 2.54 },
];

export function unitConversion(r: Rand, lang: Lang): WorkedProblem {
  const u = r.pick(UNITS);
  const v = r.int(1, 500) / r.pick([1, 2, 4, 10]);
  const ans = v * u.factor;
  const i = lang === 'zh' ? 1 : 0;
  const question = lang === 'zh' ? `${fmt(v)}${u.from[1]}等于多少${u.to[1]}？` : `How many ${u.to[0]} are in ${fmt(v)} ${u.from[0]}?`;
  const step = `1 ${u.from[i]} = ${fmt(u.factor)} ${u.to[i]}${lang === 'zh' ? '，所以' : ', so'} ${fmt(v)} × ${fmt(u.factor)} = ${fmt(ans)} ${u.to[i]}.`;
  return {
    kind: 'unit_conversion',
    lang,
    question,
    solution: `${step}\n${lang === 'zh' ? '答案' : 'Answer'}: ${fmt(ans)}`,
    expression: `${fmt(v)} * ${fmt(u.factor)}`,
    answer: Number(fmt(ans)),
  };
}

const FORMULAS: {
  name: [string, string];
  vars: [string, string, number, number][];
  expr: string;
  f: (x: number[]) => number;
  text: string;
}[] = [
  {
    name: ['the area of a rectangle', '长方形的面积'],
    vars: [
      ['length', '长', 2, 40],
      ['width', '宽', 2, 30],
    ],
    expr: 'a * b',
    f: ([a, b]) => (a as number) * (b as number),
    text: 'A = l × w',
  },
  {
    name: ['the area of a triangle', '三角形的面积'],
    vars: [
      ['base', '底', 2, 40],
      ['height', '高', 2, 30],
    ],
    expr: 'a * b / 2',
    f: ([a, b]) => ((a as number) * (b as number)) / 2,
    text: 'A = b × h / 2',
  },
  {
    name: ['the distance travelled', '行驶的路程'],
    vars: [
      ['speed (km/h)', '速度（千米/小时）', 20, 120],
      ['time (h)', '时间（小时）', 1, 8],
    ],
    expr: 'a * b',
    f: ([a, b]) => (a as number) * (b as number),
    text: 's = v × t',
  },
  {
    name: ['simple interest', '单利利息'],
    vars: [
      ['principal', '本金', 100, 5000],
      ['rate (%)', '年利率（%）', 1, 9],
      ['years', '年数', 1, 5],
    ],
    expr: 'a * b / 100 * c',
    f: ([a, b, c]) => ((a as number) * (b as number) * (c as number)) / 100,
    text: 'I = P × r × t / 100',
  },
];

export function formulaProblem(r: Rand, lang: Lang): WorkedProblem {
  const fm = r.pick(FORMULAS);
  const vals = fm.vars.map(([, , lo, hi]) => r.int(lo, hi));
  const ans = fm.f(vals);
  const i = lang === 'zh' ? 1 : 0;
  const given = fm.vars.map((v, k) => `${v[i]} = ${vals[k]}`).join(lang === 'zh' ? '，' : ', ');
  const letters = ['a', 'b', 'c'];
  let expression = fm.expr;
  vals.forEach((v, k) => {
    expression = expression.replace(letters[k] as string, String(v));
  });
  return {
    kind: 'formula',
    lang,
    question: lang === 'zh' ? `已知${given}，求${fm.name[1]}。` : `Given ${given}, compute ${fm.name[0]}.`,
    solution: `${fm.text}\n${expression} = ${fmt(ans)}\n${lang === 'zh' ? '答案' : 'Answer'}: ${fmt(ans)}`,
    expression,
    answer: Number(fmt(ans)),
  };
}

/** The last number in a text (a model's final answer), or undefined. */
export function lastNumber(text: string): number | undefined {
  const m = text.replace(/(\d),(\d{3})/g, '$1$2').match(/-?\d+(?:\.\d+)?/g);
  return m ? Number(m[m.length - 1]) : undefined;
}
