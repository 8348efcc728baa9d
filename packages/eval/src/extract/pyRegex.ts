/**
 * OpenCompass's rules are Python string methods and `re` patterns on `str`, which are
 * Unicode-aware where JavaScript's are not: `\d` is every decimal digit (full-width "１２" too),
 * `\w` / `\b` count every letter and digit, `\s` and `str.strip()` use Python's whitespace set
 * (which has U+001C–U+001F and U+0085 but not U+FEFF), `.` stops only at `\n`, and `$` also
 * matches before a final `\n`. The pieces below spell those semantics out for JS `u` regexes, so
 * each transcription reads like its Python original.
 */

/** Python's whitespace (`str.isspace`, `re`'s `\s` on str), as the inside of a character class. */
export const PY_SPACE_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** `\s` */
export const PY_S = `[${PY_SPACE_CLASS}]`;
/** `\S` */
export const PY_NS = `[^${PY_SPACE_CLASS}]`;
/** `\d`: Unicode decimal digits (category Nd). Needs the `u` flag. */
export const PY_D = '\\p{Nd}';
/** `\w`: letters, numbers and `_`. Needs the `u` flag. */
export const PY_W = '[\\p{L}\\p{N}_]';
/** `\b` after a word character (the only use we have: `^(yes|no)\b`). */
export const PY_B_AFTER_WORD = '(?![\\p{L}\\p{N}_])';
/** `.` without DOTALL: anything but `\n` (JS's `.` also stops at `\r`, U+2028, U+2029). */
export const PY_DOT = '[^\\n]';

const SPACE_RE = new RegExp(PY_S, 'u');
const LEAD = new RegExp(`^${PY_S}+`, 'u');
const TRAIL = new RegExp(`${PY_S}+$`, 'u');

export const pyIsSpace = (ch: string): boolean => SPACE_RE.test(ch);
/** `str.strip()` / `lstrip()` / `rstrip()` with no argument. */
export const pyStrip = (s: string): string => s.replace(LEAD, '').replace(TRAIL, '');
export const pyLstrip = (s: string): string => s.replace(LEAD, '');
export const pyRstrip = (s: string): string => s.replace(TRAIL, '');

/** Digits that are not decimal but still pass `str.isdigit()` (superscripts, circled digits…). */
const DIGIT_NOT_DECIMAL =
  '\\u{b2}-\\u{b3}\\u{b9}\\u{1369}-\\u{1371}\\u{19da}\\u{2070}\\u{2074}-\\u{2079}\\u{2080}-\\u{2089}\\u{2460}-\\u{2468}\\u{2474}-\\u{247c}\\u{2488}-\\u{2490}\\u{24ea}\\u{24f5}-\\u{24fd}\\u{24ff}\\u{2776}-\\u{277e}\\u{2780}-\\u{2788}\\u{278a}-\\u{2792}\\u{10a40}-\\u{10a43}\\u{10e60}-\\u{10e68}\\u{11052}-\\u{1105a}\\u{1f100}-\\u{1f10a}';
const ISDIGIT = new RegExp(`^[\\p{Nd}${DIGIT_NOT_DECIMAL}]+$`, 'u');
/** `str.isdigit()`: non-empty, every character a digit (Python 3.11's table for the non-decimal ones). */
export const pyIsDigit = (s: string): boolean => ISDIGIT.test(s);

/** `str.isupper()` on one character: the Unicode `Uppercase` property (Ⓐ, Ⅳ, 𝐀 count; ǅ does not). */
const UPPER = /^\p{Uppercase}$/u;
export const pyIsUpperChar = (ch: string): boolean => UPPER.test(ch);

/** Every Unicode decimal digit replaced by its ASCII digit, as `int()` / `float()` read them. */
export function asciiDigits(s: string): string {
  return s.replace(/\p{Nd}/gu, (d) => {
    // Unicode keeps decimal digits in contiguous runs of ten, 0 to 9 (some runs sit back to
    // back, e.g. the mathematical digits), so a digit's value is its distance from the run start.
    const cp = d.codePointAt(0)!;
    let start = cp;
    while (start > 0 && /\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
    return String((cp - start) % 10);
  });
}

/** Thrown where Python's `int()` / `float()` would raise ValueError. */
export class PyValueError extends Error {}

const INT_BODY = new RegExp(`^${PY_S}*([+-]?)(\\p{Nd}+(?:_\\p{Nd}+)*)${PY_S}*$`, 'u');
/** `int(s)` for a str: returns its canonical decimal form (what `str(int(s))` prints), or throws. */
export function pyIntString(s: string): string {
  const m = INT_BODY.exec(s);
  if (!m) throw new PyValueError(`invalid literal for int(): ${JSON.stringify(s)}`);
  const digits = asciiDigits(m[2])
    .replaceAll('_', '')
    .replace(/^0+(?=\d)/, '');
  return m[1] === '-' && digits !== '0' ? `-${digits}` : digits;
}

const FLOAT_BODY = new RegExp(
  `^${PY_S}*([+-]?)(?:((?:\\p{Nd}(?:_?\\p{Nd})*)?(?:\\.(?:\\p{Nd}(?:_?\\p{Nd})*)?)?(?:[eE][+-]?\\p{Nd}(?:_?\\p{Nd})*)?)|(inf|infinity|nan))${PY_S}*$`,
  'iu',
);
/** `float(s)` for a str (decimal, exponent, inf, nan; Unicode digits and `_` separators), or throws. */
export function pyFloat(s: string): number {
  const m = FLOAT_BODY.exec(s);
  if (!m) throw new PyValueError(`could not convert string to float: ${JSON.stringify(s)}`);
  const sign = m[1] === '-' ? -1 : 1;
  if (m[3]) return m[3].toLowerCase() === 'nan' ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  const body = asciiDigits(m[2] ?? '').replaceAll('_', '');
  // The mantissa needs at least one digit ("." and "e5" are not floats).
  if (!/\d/.test(body.split(/[eE]/)[0])) throw new PyValueError(`could not convert string to float: ${JSON.stringify(s)}`);
  return sign * Number(body);
}

/** `str.casefold()` for comparisons; per character, so JS's final-sigma rule never applies. */
export function pyCasefold(s: string): string {
  let out = '';
  for (const ch of s) out += ch.toUpperCase().toLowerCase();
  return out;
}

/** Python `str.capitalize()` (3.8+): first character title-cased, the rest lower-cased. */
export function pyCapitalize(s: string): string {
  const [first = '', ...rest] = [...s];
  return first.toUpperCase() + rest.join('').toLowerCase();
}

/**
 * Python `$` (no MULTILINE) in a pattern written in JS syntax: every `$` outside a character
 * class becomes `(?=\n?$)`, so it also matches just before a final newline.
 */
export function pyRegex(pattern: string, flags = ''): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') inClass = true;
    out += c === '$' ? '(?=\\n?$)' : c;
  }
  return new RegExp(out, flags);
}
