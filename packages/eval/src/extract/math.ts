/**
 * MATH answers: OpenCompass's `math_postprocess_v2` (last `\boxed{}` / `\fbox{}`, else the sentence
 * with "final answer" / "answer is") and `MATHEvaluator(version='v2').is_equiv` (`_strip_string_v2`,
 * then `normalize_final_answer`), followed by one step of ours: when both sides are plain numbers
 * or simple fractions, compare their values (so `0.5` equals `\frac12`, which v2 alone misses).
 */

/** The last `\boxed{…}` or `\fbox{…}` with balanced braces, including the command; `null` if none closes. */
export function lastBoxedOnlyString(text: string): string | null {
  let idx = text.lastIndexOf('\\boxed');
  if (idx < 0) {
    idx = text.lastIndexOf('\\fbox');
    if (idx < 0) return null;
  }
  let depth = 0;
  for (let i = idx; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}') {
      depth--;
      if (depth === 0) return text.slice(idx, i + 1);
    }
  }
  return null;
}

/**
 * The content of the last box. OpenCompass's `remove_boxed` only strips `\boxed{`; a `\fbox{…}`
 * therefore yields nothing there. We strip `\fbox{` too (the brief asks for \fbox support); noted
 * as a deliberate difference. `\boxed 5` (no braces) is accepted as in the MATH reference code.
 */
export function extractBoxed(text: string, stripDoubleCurly = true): string | null {
  const boxed = lastBoxedOnlyString(text);
  let answer: string | null = null;
  if (boxed === null) {
    const spaced = /\\boxed ([^\s$]+)/g;
    let m: RegExpExecArray | null = spaced.exec(text);
    let last: string | null = null;
    while (m) {
      last = m[1];
      m = spaced.exec(text);
    }
    answer = last;
  } else {
    for (const left of ['\\boxed{', '\\fbox{']) {
      if (boxed.startsWith(left) && boxed.endsWith('}')) answer = boxed.slice(left.length, -1);
    }
  }
  if (answer === null) return null;
  if (stripDoubleCurly) {
    const m = /^\{(.*)\}$/.exec(answer);
    if (m) answer = m[1];
  }
  return answer;
}

const SUBSTITUTIONS: [string, string][] = [
  ['an ', ''],
  ['a ', ''],
  ['.$', '$'],
  ['\\$', ''],
  ['\\ ', ''],
  [' ', ''],
  ['mbox', 'text'],
  [',\\text{and}', ','],
  ['\\text{and}', ','],
  ['\\text{m}', '\\text{}'],
  ['\\le', '<'],
];
const REMOVED = [
  'square',
  'ways',
  'integers',
  'dollars',
  'mph',
  'inches',
  'ft',
  'hours',
  'km',
  'units',
  '\\ldots',
  'sue',
  'points',
  'feet',
  'minutes',
  'digits',
  'cents',
  'degrees',
  'cm',
  'gm',
  'pounds',
  'meters',
  'meals',
  'edges',
  'students',
  'childrentickets',
  'multiples',
  '\\text{s}',
  '\\text{.}',
  '\\text{\ns}',
  '\\text{}^2',
  '\\text{}^3',
  '\\text{\n}',
  '\\text{}',
  '\\mathrm{th}',
  '^\\circ',
  '^{\\circ}',
  '\\;',
  ',\\!',
  '{,}',
  '"',
  '\\dots',
  '\n',
  '\r',
  '\f',
];

function lastGroup(re: RegExp, s: string): string | null {
  let last: string | null = null;
  for (const m of s.matchAll(re)) last = m[1];
  return last;
}

/** OpenCompass `normalize_final_answer` (Minerva's normaliser): strips units, text wrappers, `$`. */
export function normalizeFinalAnswer(input: string): string {
  let s = input;
  for (const [a, b] of SUBSTITUTIONS) s = s.replaceAll(a, b);
  for (const e of REMOVED) s = s.replaceAll(e, '');
  s = s.replace(/(\\text\{)\((.*?)\)(\})/g, '$2');
  s = s.replace(/(\\text\{)(.*?)(\})/g, '$2');
  s = s.replace(/(\\textbf\{)(.*?)(\})/g, '$2');
  s = s.replace(/(\\overline\{)(.*?)(\})/g, '$2');
  s = s.replace(/(\\boxed\{)(.*)(\})/g, '$2');
  s = lastGroup(/finalansweris(.*)/g, s) ?? s;
  s = lastGroup(/answer?is:?(.*)/g, s) ?? s;
  s = lastGroup(/oxed\{(.*?)\}/g, s) ?? s;
  s = lastGroup(/\$(.*?)\$/g, s) ?? s;
  s = s.trim();
  if (s.includes('rac') && !s.includes('\\frac')) s = s.replaceAll('rac', '\\frac');
  s = s.replace(/(frac)([^{])(.)/g, 'frac{$2}{$3}');
  s = s.replace(/(sqrt)([^{])/g, 'sqrt{$2}');
  s = s.replaceAll('$', '');
  const noCommas = s.replaceAll(',', '');
  if (/^\d+$/.test(noCommas)) s = noCommas;
  return s;
}

/** OpenCompass `math_postprocess_v2`: the boxed answer, else the "final answer / answer is" sentence. */
export function mathExtract(text: string): string {
  const boxed = extractBoxed(text, true);
  if (boxed) return boxed;
  for (const sentence of text.split('.')) {
    if (/final answer|answer is/.test(sentence.toLowerCase())) return normalizeFinalAnswer(sentence);
  }
  return normalizeFinalAnswer(text.split('.')[0]);
}

/** The gold answer of a MATH solution: its last boxed expression. */
export function mathGold(solution: string): string | null {
  return extractBoxed(solution, false);
}

function fixFracs(s: string): string {
  const parts = s.split('\\frac');
  let out = parts[0];
  for (const sub of parts.slice(1)) {
    out += '\\frac';
    if (sub.length > 0 && sub[0] === '{') {
      out += sub;
      continue;
    }
    if (sub.length < 2) return s;
    const a = sub[0];
    const b = sub[1];
    out += b !== '{' ? `{${a}}{${b}}${sub.slice(2)}` : `{${a}}${b}${sub.slice(2)}`;
  }
  return out;
}

/** Thrown where Python's `int()` would raise ValueError; `isEquiv` catches it as OpenCompass does. */
class NotAnInt extends Error {}

function pyInt(s: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(s)) throw new NotAnInt(s);
  return Number.parseInt(s, 10);
}

function fixASlashB(s: string): string {
  const parts = s.split('/');
  if (parts.length !== 2) return s;
  const a = pyInt(parts[0]);
  const b = pyInt(parts[1]);
  if (s !== `${a}/${b}`) return s;
  return `\\frac{${a}}{${b}}`;
}

/** OpenCompass `MATHEvaluator._strip_string_v2`. */
export function stripStringV2(input: string): string {
  let s = input.trim();
  s = s.replaceAll('\n', '');
  s = s.replace(/\.+$/, '');
  s = s.replaceAll('\\!', '').replaceAll('\\ ', '');
  s = s.replaceAll('\\\\', '\\').replaceAll('\\\\', '\\');
  s = s.replaceAll('tfrac', 'frac').replaceAll('dfrac', 'frac');
  s = s.replaceAll('\\left', '').replaceAll('\\right', '');
  const noUnit = s.replace(/\\text\{.*?\}$/, '').trim();
  if (noUnit !== '' && noUnit !== s) s = noUnit;
  s = s.replaceAll('^{\\circ}', '').replaceAll('^\\circ', '');
  s = s.replaceAll('\\$', '').replaceAll('$', '');
  s = s.replaceAll('\\text', '').replaceAll('x\\in', '');
  s = s.replaceAll('\\%', '').replaceAll('%', '');
  s = s.replaceAll(' .', ' 0.').replaceAll('{.', '{0.');
  s = s.replaceAll('\\cdot', '');
  s = s.replaceAll('infinity', '\\infty');
  if (!s.includes('\\infty')) s = s.replaceAll('inf', '\\infty');
  s = s.replaceAll('+\\inity', '\\infty');
  s = s.replaceAll('and', '').replaceAll('\\mathbf', '');
  s = s.replace(/\\mbox\{.*?\}/g, '');
  if (s.includes('j') && !s.includes('i')) s = s.replaceAll('j', 'i');
  s = s.replace(/(\d+)\.0+([^\d])/g, '$1$2');
  s = s.replace(/(\d+)\.0+$/, '$1');
  if (s.length === 0) return s;
  if (s[0] === '.') s = `0${s}`;
  const eq = s.split('=');
  if (eq.length === 2 && eq[0].length <= 2) s = eq[1];
  s = s.replace(/\\sqrt(\w+)/g, '\\sqrt{$1}');
  s = s.replaceAll(' ', '');
  s = fixFracs(s);
  s = fixASlashB(s);
  return s;
}

/** The value of a plain number, `a/b`, `\frac{a}{b}` (signed), or `null` when it is anything else. */
export function simpleValue(s: string): number | null {
  const t = s.replace(/\s+/g, '').replace(/\\[dt]frac/g, '\\frac');
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return Number(t);
  const frac = /^([+-]?)\\frac\{?([+-]?\d+(?:\.\d+)?)\}?\{?(\d+(?:\.\d+)?)\}?$/.exec(t) ?? /^([+-]?)(\d+)\/(\d+)$/.exec(t);
  if (frac) {
    const den = Number(frac[3]);
    if (den === 0) return null;
    return (frac[1] === '-' ? -1 : 1) * (Number(frac[2]) / den);
  }
  return null;
}

/** OpenCompass `MATHEvaluator(version='v2').is_equiv`, plus the numeric-value step described above. */
export function mathEquiv(pred: string | null, gold: string | null): boolean {
  if (pred === null && gold === null) return true;
  if (pred === null || gold === null) return false;
  try {
    const a = stripStringV2(pred);
    const b = stripStringV2(gold);
    if (a === b) return true;
    if (normalizeFinalAnswer(a) === normalizeFinalAnswer(b)) return true;
    const va = simpleValue(a);
    const vb = simpleValue(b);
    if (va !== null && vb !== null && Math.abs(va - vb) <= 1e-9 * Math.max(1, Math.abs(vb))) return true;
  } catch (e) {
    if (!(e instanceof NotAnInt)) throw e;
  }
  if (normalizeFinalAnswer(pred) === normalizeFinalAnswer(gold)) return true;
  return pred === gold;
}
