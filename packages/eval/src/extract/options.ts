/**
 * Multiple-choice answer extraction: OpenCompass's `first_option_postprocess` family
 * (opencompass/utils/text_postprocessors.py at OPENCOMPASS_COMMIT).
 *
 * The patterns are tried in order on the stripped text; for the first that matches, OpenCompass
 * looks at group 1 (or the whole match when group 1 is empty or absent) and returns the first
 * option letter *in option order* contained in it. A match without a letter there does not stop
 * the search: the next pattern is tried. Kept on purpose, with their consequences:
 * - the missing comma after `故选?\s*([…])` upstream glues it to the next pattern, so "故选B" alone
 *   is found only later, by `选择?\s*([…])`;
 * - `1.\s?(.*?)$` runs before the cushion and `.` is any character, so "Step 1: B is wrong, A is
 *   right" answers A (the first letter in option order after "1" + one character);
 * - `(\s|^)[…][…]` captures the space before the letter, so mid-text it never yields an answer;
 * - `(?i)ANSWER\s*:\s*([…])` also matches a lower-case letter, which then is not an option.
 */
import { PY_NS, PY_S, PY_SPACE_CLASS, pyIsUpperChar, pyStrip } from './pyRegex.js';

function escapeClass(options: string): string {
  return options.replace(/[\\\]^-]/g, '\\$&');
}

/**
 * Rewrites a Python pattern's `\s` / `\S` to Python's whitespace set (inside a class, its
 * members); everything else in these patterns means the same in a JS `u` regex.
 */
function fromPython(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (n === 's') out += inClass ? PY_SPACE_CLASS : PY_S;
      else if (n === 'S') out += PY_NS;
      else out += c + n;
      i++;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

/** The ordered pattern list for an option alphabet such as `ABCD` (Python syntax, `{o}` = the class). */
function optionPatterns(options: string, cushion: boolean): RegExp[] {
  const o = `[${escapeClass(options)}]`;
  const src = [
    `答案是?\\s*(${o})`,
    `答案是?\\s*：\\s*(${o})`,
    `答案是?\\s*:\\s*(${o})`,
    `答案选项应?该?是\\s*(${o})`,
    `答案选项应?该?为\\s*(${o})`,
    `答案应该?是\\s*(${o})`,
    `答案应该?选\\s*(${o})`,
    `答案选项为?\\s*：\\s*(${o})`,
    `答案选项为?\\s+\\(?\\*?\\*?(${o})\\*?\\*?\\)?`,
    `答案选项是?\\s*:\\s*(${o})`,
    `答案为\\s*(${o})`,
    `答案选\\s*(${o})`,
    `选择?\\s*(${o})`,
    // One pattern upstream: a missing comma concatenates these two literals.
    `故选?\\s*(${o})只有选?项?\\s?(${o})\\s?是?对`,
    `只有选?项?\\s?(${o})\\s?是?错`,
    `只有选?项?\\s?(${o})\\s?不?正确`,
    `只有选?项?\\s?(${o})\\s?错误`,
    `说法不?对选?项?的?是\\s?(${o})`,
    `说法不?正确选?项?的?是\\s?(${o})`,
    `说法错误选?项?的?是\\s?(${o})`,
    `(${o})\\s?是正确的`,
    `(${o})\\s?是正确答案`,
    `选项\\s?(${o})\\s?正确`,
    `所以答\\s?(${o})`,
    `所以\\s?(${o}[.。$]?$)`,
    `所有\\s?(${o}[.。$]?$)`,
    `[\\s，：:,](${o})[。，,\\.]?$`,
    `[\\s，,：:][故即](${o})[。\\.]?$`,
    `[\\s，,：:]因此(${o})[。\\.]?$`,
    `[是为。]\\s?(${o})[。\\.]?$`,
    `因此\\s?(${o})[。\\.]?$`,
    `显然\\s?(${o})[。\\.]?$`,
    `答案是\\s?(\\S+)(?:。|$)`,
    `答案应该是\\s?(\\S+)(?:。|$)`,
    `答案为\\s?(\\S+)(?:。|$)`,
    `(?i)ANSWER\\s*:\\s*(${o})`,
    `[Tt]he answer is:?\\s+\\(?(${o})\\)?`,
    `[Tt]he answer is:?\\s+\\(?\\*?\\*?(${o})\\*?\\*?\\)?`,
    `[Tt]he answer is option:?\\s+\\(?(${o})\\)?`,
    `[Tt]he correct answer is:?\\s+\\(?(${o})\\)?`,
    `[Tt]he correct answer is option:?\\s+\\(?(${o})\\)?`,
    `[Tt]he correct answer is:?.*?boxed\\{(${o})\\}`,
    `[Tt]he correct option is:?.*?boxed\\{(${o})\\}`,
    `[Tt]he correct answer option is:?.*?boxed\\{(${o})\\}`,
    `[Tt]he answer to the question is:?\\s+\\(?(${o})\\)?`,
    `^选项\\s?(${o})`,
    `^(${o})\\s?选?项`,
    `(\\s|^)${o}[\\s。，,：:\\.$]`,
    `1.\\s?(.*?)$`,
    `1.\\s?(${o})[.。$]?$`,
  ];
  if (cushion) src.push(`(${o}):`, `(${o})`);
  // re.DOTALL → `s`. The text is stripped first, so Python's `$` is simply the end of input.
  return src.map((p) => (p.startsWith('(?i)') ? new RegExp(fromPython(p.slice(4)), 'isu') : new RegExp(fromPython(p), 'su')));
}

const cache = new Map<string, RegExp[]>();

/**
 * OpenCompass `first_option_postprocess(text, options, cushion=True)`: the first valid option
 * letter, or `''` when none is found.
 */
export function firstOption(text: string, options = 'ABCD', cushion = true): string {
  const key = `${options}\u0000${cushion}`;
  let patterns = cache.get(key);
  if (!patterns) {
    patterns = optionPatterns(options, cushion);
    cache.set(key, patterns);
  }
  const t = pyStrip(text);
  for (const re of patterns) {
    const m = re.exec(t);
    if (!m) continue;
    const outputs = m[1] !== undefined && m[1] !== '' ? m[1] : m[0];
    for (const letter of options) if (outputs.includes(letter)) return letter;
  }
  return '';
}

/** OpenCompass `first_capital_postprocess`: the first character for which Python's `isupper()` holds. */
export function firstCapital(text: string): string {
  for (const ch of text) if (pyIsUpperChar(ch)) return ch;
  return '';
}

/** OpenCompass `last_option_postprocess`: the last option letter anywhere in the text. */
export function lastOption(text: string, options = 'ABCD'): string {
  for (let i = text.length - 1; i >= 0; i--) if (options.includes(text[i])) return text[i];
  return '';
}

/** Scoring choices that differ from OpenCompass; all off by default (see extract/README.md). */
export interface ChoiceOptions {
  /**
   * Ours, raises scores: when no OpenCompass pattern but the cushion would answer, accept an
   * answer given as the option's text ("The answer is photosynthesis.") if exactly one option's
   * text occurs in the output. OpenCompass scores such outputs by the cushion (usually wrong).
   */
  optionTextMatch?: boolean;
  /**
   * Ours: before the cushion, read "answer is (C)" / an output starting "(C)", so the cushion
   * does not take the "B" of "Based on this, …". OpenCompass has no such step.
   */
  parenthesisedLetter?: boolean;
}

/**
 * Matches an answer given as the option's text instead of its letter. It returns a letter only
 * when exactly one option's text occurs in the output (case-insensitive, whole words in
 * alphabetic scripts, options of at least two characters), so it never guesses.
 */
export function optionTextMatch(text: string, choices: readonly string[], options = 'ABCD'): string {
  const hay = ` ${text.toLowerCase().replace(/\s+/g, ' ')} `;
  const hits: number[] = [];
  choices.forEach((choice, i) => {
    const needle = choice.trim().toLowerCase().replace(/\s+/g, ' ');
    // One-character options ("c", "2", "C") would match letters and numbers everywhere.
    if ([...needle].length < 2) return;
    const at = hay.indexOf(needle);
    if (at < 0) return;
    // Word boundaries only make sense for alphabetic scripts; Chinese text has no spaces.
    const word = /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}]/u;
    const before = hay[at - 1] ?? ' ';
    const after = hay[at + needle.length] ?? ' ';
    const startOk = !word.test(needle[0]) || !word.test(before);
    const endOk = !word.test(needle[needle.length - 1]) || !word.test(after);
    if (startOk && endOk) hits.push(i);
  });
  // A choice that is a substring of another ("2" inside "12") is not a separate hit.
  const distinct = hits.filter((i) => !hits.some((j) => j !== i && choices[j].toLowerCase().includes(choices[i].toLowerCase())));
  return distinct.length === 1 && distinct[0] < options.length ? options[distinct[0]] : '';
}

const PAREN_ANSWER = [/[Aa]nswer\s*(?:is|:)\s*:?\s*(?:option\s*)?\(([A-Z])\)/, /^\s*\(([A-Z])\)/];

/**
 * The extractor for multiple-choice datasets. By default exactly OpenCompass's
 * `first_option_postprocess(text, options)` (cushion on), as its MMLU / C-Eval / CMMLU / ARC
 * configs use it. The opt-in steps run after the strict patterns and before the cushion.
 */
export function extractChoice(text: string, choices: readonly string[] | undefined, options = 'ABCD', opts: ChoiceOptions = {}): string {
  if (!opts.optionTextMatch && !opts.parenthesisedLetter) return firstOption(text, options, true);
  const strict = firstOption(text, options, false);
  if (strict) return strict;
  if (opts.parenthesisedLetter) {
    for (const re of PAREN_ANSWER) {
      const m = re.exec(text);
      if (m && options.includes(m[1])) return m[1];
    }
  }
  if (opts.optionTextMatch && choices?.length) {
    const byText = optionTextMatch(text, choices, options);
    if (byText) return byText;
  }
  return firstOption(text, options, true);
}
