import type { NeedleLanguage } from './haystack.js';

/** What gets hidden and asked: needle sentences, the question, the reference answer and its scoring keyword(s). */
export interface Needle {
  kind: 'single' | 'multi';
  needles: string[];
  question: string;
  /** The reference the answer is compared with (Levenshtein for single-needle retrieval). */
  reference: string;
  /** Keyword(s): single retrieval scores 100 when this appears; multi scores the fraction of whitespace-separated words present. */
  keyword: string;
}

const ADJ_EN = ['amber', 'silent', 'northern', 'velvet', 'copper', 'hollow', 'crimson', 'frozen', 'golden', 'sleepy'];
const NOUN_EN = ['lighthouse', 'orchard', 'library', 'harbour', 'observatory', 'greenhouse', 'monastery', 'bridge', 'garden', 'tower'];
const ADJ_ZH = ['琥珀色', '寂静', '北方', '丝绒', '青铜', '空心', '深红', '冰封', '金色', '沉睡'];
const NOUN_ZH = ['灯塔', '果园', '书库', '港口', '天文台', '温室', '寺院', '石桥', '花园', '钟楼'];
const WORDS = ['PLUM', 'ORBIT', 'CEDAR', 'NOVA', 'QUARTZ', 'EMBER', 'MAPLE', 'RIVET', 'SABLE', 'TULIP'];
const FIRST_EN = [
  'Avery',
  'Bram',
  'Cora',
  'Dmitri',
  'Elsa',
  'Felix',
  'Greta',
  'Hugo',
  'Ines',
  'Jasper',
  'Kira',
  'Leon',
  'Mira',
  'Nolan',
  'Odile',
  'Piet',
];
const LAST_EN = ['Quill', 'Rowe', 'Sayer', 'Thorne', 'Umber', 'Vance', 'Wilde', 'Yarrow', 'Zeller', 'Ashdown', 'Birch', 'Colfax'];
const SURNAME_ZH = ['赵', '钱', '孙', '李', '周', '吴', '郑', '王', '冯', '陈', '褚', '卫', '蒋', '沈', '韩', '杨'];
const GIVEN_ZH = ['子墨', '思远', '若溪', '浩然', '雨桐', '嘉懿', '明轩', '语嫣', '梓涵', '一鸣', '书瑶', '景行'];

const pick = <T>(a: readonly T[], r: () => number): T => a[Math.floor(r() * a.length)];

/** Single-needle retrieval: one invented fact with an unguessable code, asked back verbatim. */
export function singleNeedle(language: NeedleLanguage, random: () => number): Needle {
  const code = `${pick(WORDS, random)}-${1000 + Math.floor(random() * 9000)}`;
  if (language === 'zh') {
    const subject = `${pick(ADJ_ZH, random)}${pick(NOUN_ZH, random)}`;
    const needle = `${subject}的秘密口令是${code}。`;
    return {
      kind: 'single',
      needles: [needle],
      question: `${subject}的秘密口令是什么？请按照“${subject}的秘密口令是……”的格式回答。`,
      reference: needle,
      keyword: code,
    };
  }
  const subject = `the ${pick(ADJ_EN, random)} ${pick(NOUN_EN, random)}`;
  const needle = `The secret code of ${subject} is ${code}.`;
  return {
    kind: 'single',
    needles: [needle],
    question: `What is the secret code of ${subject}? Answer in the form "The secret code of ${subject} is ...".`,
    reference: needle,
    keyword: code,
  };
}

function distinctNames(count: number, make: () => string): string[] {
  const names = new Set<string>();
  for (let guard = 0; names.size < count && guard < 10_000; guard++) names.add(make());
  return [...names];
}

/**
 * Multi-needle reasoning: a chain of `hops` parent facts (P1 is the father of P0, P2 of
 * P1, …) scattered through the haystack; only following every link gives the answer.
 */
export function multiNeedle(language: NeedleLanguage, hops: number, random: () => number): Needle {
  const n = Math.max(2, hops);
  if (language === 'zh') {
    const p = distinctNames(n + 1, () => `${pick(SURNAME_ZH, random)}${pick(GIVEN_ZH, random)}`);
    return {
      kind: 'multi',
      needles: Array.from({ length: n }, (_, i) => `${p[i + 1]}是${p[i]}的父亲。`),
      question: `只根据文档中提到的亲属关系，${p[0]}能追溯到的最年长的祖先是谁？`,
      reference: p[n],
      keyword: p[n],
    };
  }
  const p = distinctNames(n + 1, () => `${pick(FIRST_EN, random)} ${pick(LAST_EN, random)}`);
  return {
    kind: 'multi',
    needles: Array.from({ length: n }, (_, i) => `${p[i + 1]} is the father of ${p[i]}.`),
    question: `Using only the family relations stated in the document, who is the most distant ancestor of ${p[0]} that can be traced?`,
    reference: p[n],
    keyword: p[n],
  };
}
