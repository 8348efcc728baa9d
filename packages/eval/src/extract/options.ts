/**
 * Multiple-choice answer extraction: OpenCompass's `first_option_postprocess` family.
 *
 * The patterns are tried in order; the first that matches anywhere wins, and the answer is the
 * first option letter *in option order* (not position) contained in the whole match. That is how
 * OpenCompass does it, and it explains some surprising results kept on purpose (see the
 * extraction table): e.g. "1. D or A" → "A" through the `1.\s?(.*?)$` pattern.
 */
import { pyRegex } from './pyRegex.js';

function escapeClass(options: string): string {
  return options.replace(/[\\\]^-]/g, '\\$&');
}

/** The ordered pattern list (OpenCompass's rule set), for a given option alphabet such as `ABCD`. */
function optionPatterns(options: string, cushion: boolean): RegExp[] {
  const o = `[${escapeClass(options)}]`;
  const src = [
    `答案是?\\s?(${o})`,
    `答案是?\\s?：(${o})`,
    `答案是?\\s?:(${o})`,
    `答案应该?是\\s?(${o})`,
    `答案应该?选\\s?(${o})`,
    `答案为\\s?(${o})`,
    `答案选\\s?(${o})`,
    `选择?\\s?(${o})`,
    `只有选?项?\\s?(${o})\\s?是?对`,
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
    // The unescaped `.` is OpenCompass's: it matches any character, not only a period.
    `1.\\s?(${o})[.。$]?$`,
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
    `[Tt]he answer is (${o})`,
    `[Tt]he answer is option (${o})`,
    `[Tt]he correct answer is (${o})`,
    `[Tt]he correct answer is option (${o})`,
    `[Tt]he answer to the question is (${o})`,
    `^选项\\s?(${o})`,
    `^(${o})\\s?选?项`,
    `(\\s|^)${o}[\\s。，,：:\\.$]`,
    `(\\s|^)${o}(\\s|$)`,
    `1.\\s?(.*?)$`,
  ];
  if (cushion) src.push(`(${o}):`, o);
  return src.map((s) => pyRegex(s));
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
  for (const re of patterns) {
    const m = re.exec(text);
    if (!m) continue;
    for (const letter of options) if (m[0].includes(letter)) return letter;
  }
  return '';
}

/** OpenCompass `first_capital_postprocess`: the first upper-case character (Unicode-aware, as Python's `isupper`). */
export function firstCapital(text: string): string {
  for (const ch of text) if (ch !== ch.toLowerCase() && ch === ch.toUpperCase()) return ch;
  return '';
}

/** OpenCompass `last_option_postprocess`: the last option letter anywhere in the text. */
export function lastOption(text: string, options = 'ABCD'): string {
  for (let i = text.length - 1; i >= 0; i--) if (options.includes(text[i])) return text[i];
  return '';
}

/**
 * Matches an answer given as the option's text instead of its letter ("The answer is
 * photosynthesis."). Ours, not OpenCompass's: it returns a letter only when exactly one option's
 * text occurs in the output (case-insensitive, whole words in alphabetic scripts, options of at
 * least two characters), so it never guesses.
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

/** Parenthesised letters OpenCompass leaves to its cushion ("The answer is (C)", an output starting "(C)"). */
const PAREN_ANSWER = [/[Aa]nswer\s*(?:is|:)\s*:?\s*(?:option\s*)?\(([A-Z])\)/, /^\s*\(([A-Z])\)/];

/**
 * The extractor used for multiple-choice datasets: OpenCompass's patterns without the cushion
 * (a stray capital anywhere), then two parenthesised-letter patterns and the option-text match
 * (ours), then the cushion. Ours only run when no OpenCompass pattern did, and they stop the
 * cushion from taking the "B" of "Based on this, the answer is (C)".
 */
export function extractChoice(text: string, choices: readonly string[] | undefined, options = 'ABCD'): string {
  const strict = firstOption(text, options, false);
  if (strict) return strict;
  for (const re of PAREN_ANSWER) {
    const m = re.exec(text);
    if (m && options.includes(m[1])) return m[1];
  }
  if (choices?.length) {
    const byText = optionTextMatch(text, choices, options);
    if (byText) return byText;
  }
  return firstOption(text, options, true);
}
