import type { Rand } from './rng.js';

/** A small Python function with a docstring and assert-based tests whose expected values are computed here. */
export interface CodeSample {
  kind: 'function';
  name: string;
  instruction: string;
  code: string;
  tests: string;
}

type Spec = { name: string; doc: [string, string]; body: string; args: () => unknown[][]; f: (...a: never[]) => unknown };

const py = (v: unknown): string =>
  typeof v === 'string'
    ? JSON.stringify(v)
    : typeof v === 'boolean'
      ? v
        ? 'True'
        : 'False'
      : Array.isArray(v)
        ? `[${v.map(py).join(', ')}]`
        : String(v);

function specs(r: Rand): Spec[] {
  const words = ['level', 'puyu', 'data', 'noon', 'shard', 'refer', 'token'];
  const list = () => Array.from({ length: r.int(0, 6) }, () => r.int(-20, 40));
  return [
    {
      name: 'clamp',
      doc: ['Return x limited to the closed range [lo, hi].', '把 x 限制在闭区间 [lo, hi] 内并返回。'],
      body: 'def clamp(x, lo, hi):\n    """{doc}"""\n    return max(lo, min(hi, x))',
      args: () => Array.from({ length: 3 }, () => [r.int(-50, 50), -10, 10]),
      f: ((x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x))) as never,
    },
    {
      name: 'is_palindrome',
      doc: ['Return True if the string reads the same backwards.', '判断字符串正读反读是否相同。'],
      body: 'def is_palindrome(s):\n    """{doc}"""\n    return s == s[::-1]',
      args: () => Array.from({ length: 3 }, () => [r.pick(words)]),
      f: ((s: string) => s === [...s].reverse().join('')) as never,
    },
    {
      name: 'sum_even',
      doc: ['Return the sum of the even numbers in xs.', '返回列表 xs 中偶数之和。'],
      body: 'def sum_even(xs):\n    """{doc}"""\n    return sum(x for x in xs if x % 2 == 0)',
      args: () => Array.from({ length: 3 }, () => [list()]),
      f: ((xs: number[]) => xs.filter((x) => x % 2 === 0).reduce((a, b) => a + b, 0)) as never,
    },
    {
      name: 'count_vowels',
      doc: ['Return how many of the characters of s are vowels (a, e, i, o, u).', '返回字符串 s 中元音字母（a、e、i、o、u）的个数。'],
      body: 'def count_vowels(s):\n    """{doc}"""\n    return sum(1 for ch in s.lower() if ch in "aeiou")',
      args: () => Array.from({ length: 3 }, () => [r.pick(words)]),
      f: ((s: string) => [...s.toLowerCase()].filter((c) => 'aeiou'.includes(c)).length) as never,
    },
  ];
}

export function codeFunction(r: Rand, lang: 'en' | 'zh'): CodeSample {
  const s = r.pick(specs(r));
  const doc = s.doc[lang === 'zh' ? 1 : 0];
  const code = s.body.replace('{doc}', doc);
  const tests = s
    .args()
    .map((a) => `assert ${s.name}(${a.map(py).join(', ')}) == ${py((s.f as (...x: unknown[]) => unknown)(...a))}`)
    .join('\n');
  const instruction =
    lang === 'zh' ? `用 Python 写一个函数 ${s.name}：${doc}并附上测试。` : `Write a Python function ${s.name}: ${doc} Include tests.`;
  return { kind: 'function', name: s.name, instruction, code, tests };
}
