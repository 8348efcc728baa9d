/**
 * MATH answers, from opencompass/datasets/math.py at OPENCOMPASS_COMMIT: `math_postprocess_v2`
 * (the last `\boxed{…}`, else the first sentence with "final answer" / "answer is", normalised)
 * and `MATHEvaluator(version='v2').is_equiv` (`_strip_string_v2`, then `normalize_final_answer`,
 * then `normalize_final_answer` of the raw strings, then plain equality). String operations follow
 * Python's (see pyRegex.ts): `\d` / `\w` are Unicode, `.` stops only at `\n`, `strip()` uses
 * Python's whitespace, `isdigit()` / `int()` accept every Unicode digit.
 *
 * Two opt-in deviations (`MathOptions`), both raising scores, both off by default:
 * `lenientBoxes` reads `\fbox{…}` and `\boxed 5` (OpenCompass's `remove_boxed` strips only
 * `\boxed{`), `lenientFractions` compares plain numbers and simple fractions by value (so `2/4`,
 * `0.5` and `\frac{1}{2}` are equal; v2 alone keeps them apart).
 */
import { PY_D, PY_DOT, PY_W, PyValueError, pyIntString, pyIsDigit, pyRegex, pyStrip } from './pyRegex.js';

/** Scoring choices that differ from OpenCompass; all off by default (see extract/README.md). */
export interface MathOptions {
  /** Read `\fbox{…}` like `\boxed{…}`, and `\boxed 5` (no braces) as 5. */
  lenientBoxes?: boolean;
  /** Equal when both sides are plain numbers / `a/b` / `\frac{a}{b}` of the same value. */
  lenientFractions?: boolean;
}

/** The last `\boxed…` (else `\fbox…`) up to its first balanced `}`, command included; `null` if none closes. */
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

const DOUBLE_CURLY = pyRegex(`^\\{(${PY_DOT}*)\\}$`, 'u');

/**
 * OpenCompass `extract_boxed_answer`: the content of the last box when it is `\boxed{…}`; a last
 * `\fbox{…}` (or a `\boxed` with no brace) yields `null` there. `lenientBoxes` strips `\fbox{`
 * too and reads `\boxed 5`.
 */
export function extractBoxed(text: string, stripDoubleCurly = true, opts: MathOptions = {}): string | null {
  const boxed = lastBoxedOnlyString(text);
  let answer: string | null = null;
  if (boxed !== null) {
    for (const left of opts.lenientBoxes ? ['\\boxed{', '\\fbox{'] : ['\\boxed{']) {
      if (boxed.startsWith(left) && boxed.endsWith('}')) answer = boxed.slice(left.length, -1);
    }
  } else if (opts.lenientBoxes) {
    // The MATH reference code's `\boxed 5`: the last such token.
    for (const m of text.matchAll(/\\boxed ([^\s$]+)/g)) answer = m[1];
  }
  if (answer === null) return null;
  if (stripDoubleCurly) {
    const m = DOUBLE_CURLY.exec(answer);
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
// prettier-ignore
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

// Python's `.` (no DOTALL) is PY_DOT; a `\n` never reaches these (removed above), but U+2028 can.
const D = PY_DOT;
const TEXT_PAREN = new RegExp(`(\\\\text\\{)\\((${D}*?)\\)(\\})`, 'gu');
const TEXT = new RegExp(`(\\\\text\\{)(${D}*?)(\\})`, 'gu');
const TEXTBF = new RegExp(`(\\\\textbf\\{)(${D}*?)(\\})`, 'gu');
const OVERLINE = new RegExp(`(\\\\overline\\{)(${D}*?)(\\})`, 'gu');
const BOXED = new RegExp(`(\\\\boxed\\{)(${D}*)(\\})`, 'gu');
const FINAL_ANSWER_IS = new RegExp(`finalansweris(${D}*)`, 'gu');
const ANSWER_IS = new RegExp(`answer?is:?(${D}*)`, 'gu');
const OXED = new RegExp(`oxed\\{(${D}*?)\\}`, 'gu');
const DOLLARS = new RegExp(`\\$(${D}*?)\\$`, 'gu');
const FRAC_SHORT = new RegExp(`(frac)([^{])(${D})`, 'gu');
const SQRT_SHORT = /(sqrt)([^{])/gu;

function lastGroup(pattern: RegExp, s: string): string | null {
  let last: string | null = null;
  for (const m of s.matchAll(pattern)) last = m[1];
  return last;
}

/** OpenCompass `normalize_final_answer` (Minerva's normaliser): strips units, text wrappers, `$`. */
export function normalizeFinalAnswer(input: string): string {
  let s = input;
  for (const [a, b] of SUBSTITUTIONS) s = s.replaceAll(a, b);
  for (const e of REMOVED) s = s.replaceAll(e, '');
  s = s.replace(TEXT_PAREN, '$2');
  s = s.replace(TEXT, '$2');
  s = s.replace(TEXTBF, '$2');
  s = s.replace(OVERLINE, '$2');
  s = s.replace(BOXED, '$2');
  s = lastGroup(FINAL_ANSWER_IS, s) ?? s;
  s = lastGroup(ANSWER_IS, s) ?? s;
  s = lastGroup(OXED, s) ?? s;
  s = lastGroup(DOLLARS, s) ?? s;
  s = pyStrip(s);
  if (s.includes('rac') && !s.includes('\\frac')) s = s.replaceAll('rac', '\\frac');
  s = s.replace(FRAC_SHORT, 'frac{$2}{$3}');
  s = s.replace(SQRT_SHORT, 'sqrt{$2}');
  s = s.replaceAll('$', '');
  if (pyIsDigit(s.replaceAll(',', ''))) s = s.replaceAll(',', '');
  return s;
}

/** OpenCompass `math_postprocess_v2`: the boxed answer, else the "final answer / answer is" sentence. */
export function mathExtract(text: string, opts: MathOptions = {}): string {
  const boxed = extractBoxed(text, true, opts);
  if (boxed) return boxed;
  for (const sentence of text.split('.')) {
    if (/final answer|answer is/.test(sentence.toLowerCase())) return normalizeFinalAnswer(sentence);
  }
  return normalizeFinalAnswer(text.split('.')[0]);
}

/** The gold answer of a MATH solution, as OpenCompass's loader reads it: `extract_boxed_answer(solution)`. */
export function mathGold(solution: string): string | null {
  return extractBoxed(solution, false);
}

/** `_fix_fracs`; indexes code points, as Python does. */
function fixFracs(s: string): string {
  const parts = s.split('\\frac');
  let out = parts[0];
  for (const sub of parts.slice(1)) {
    out += '\\frac';
    const cps = [...sub];
    if (cps.length > 0 && cps[0] === '{') {
      out += sub;
      continue;
    }
    if (cps.length < 2) return s;
    const [a, b] = cps;
    const post = cps.slice(2).join('');
    out += b !== '{' ? `{${a}}{${b}}${post}` : `{${a}}${b}${post}`;
  }
  return out;
}

/**
 * `_fix_a_slash_b`: "3/4" → `\frac{3}{4}` only when both sides print back unchanged through
 * `int()`. A side `int()` cannot read raises ValueError, which `is_equiv` catches (it skips to
 * comparing the raw strings); PyValueError plays that part here.
 */
function fixASlashB(s: string): string {
  const parts = s.split('/');
  if (parts.length !== 2) return s;
  const a = pyIntString(parts[0]);
  const b = pyIntString(parts[1]);
  if (s !== `${a}/${b}`) return s;
  return `\\frac{${a}}{${b}}`;
}

const TEXT_UNIT_AT_END = /\\text\{[^\n]*?\}$/u;
const MBOX = /\\mbox\{[^\n]*?\}/gu;
const TRAILING_ZEROS_MID = new RegExp(`(${PY_D}+)\\.0+([^${PY_D}])`, 'gu');
const TRAILING_ZEROS_END = new RegExp(`(${PY_D}+)\\.0+$`, 'u');
const SQRT_WORD = new RegExp(`\\\\sqrt(${PY_W}+)`, 'gu');

/** OpenCompass `MATHEvaluator._strip_string_v2`. */
export function stripStringV2(input: string): string {
  let s = pyStrip(input);
  s = s.replaceAll('\n', '');
  s = s.replace(/\.+$/, '');
  s = s.replaceAll('\\!', '').replaceAll('\\ ', '');
  s = s.replaceAll('\\\\', '\\').replaceAll('\\\\', '\\');
  s = s.replaceAll('tfrac', 'frac').replaceAll('dfrac', 'frac');
  s = s.replaceAll('\\left', '').replaceAll('\\right', '');
  const noUnit = pyStrip(s.replace(TEXT_UNIT_AT_END, ''));
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
  s = s.replace(MBOX, '');
  if (s.includes('j') && !s.includes('i')) s = s.replaceAll('j', 'i');
  s = s.replace(TRAILING_ZEROS_MID, '$1$2');
  s = s.replace(TRAILING_ZEROS_END, '$1');
  if (s.length === 0) return s;
  if (s[0] === '.') s = `0${s}`;
  const eq = s.split('=');
  if (eq.length === 2 && [...eq[0]].length <= 2) s = eq[1];
  s = s.replace(SQRT_WORD, '\\sqrt{$1}');
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

function sameValue(a: string, b: string): boolean {
  const va = simpleValue(a);
  const vb = simpleValue(b);
  return va !== null && vb !== null && Math.abs(va - vb) <= 1e-9 * Math.max(1, Math.abs(vb));
}

/** OpenCompass `MATHEvaluator(version='v2').is_equiv`; `lenientFractions` adds the value step. */
export function mathEquiv(pred: string | null, gold: string | null, opts: MathOptions = {}): boolean {
  if (pred === null && gold === null) return true;
  if (pred === null || gold === null) return false;
  try {
    const a = stripStringV2(pred);
    const b = stripStringV2(gold);
    if (a === b) return true;
    if (normalizeFinalAnswer(a) === normalizeFinalAnswer(b)) return true;
    if (opts.lenientFractions && sameValue(a, b)) return true;
  } catch (e) {
    if (!(e instanceof PyValueError)) throw e;
  }
  if (normalizeFinalAnswer(pred) === normalizeFinalAnswer(gold)) return true;
  return pred === gold;
}
