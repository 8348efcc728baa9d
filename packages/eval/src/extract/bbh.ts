/**
 * BBH answers: OpenCompass's `bbh_mcq_postprocess` / `bbh_freeform_postprocess` and the
 * comparisons of `BBHEvaluator_mcq` (exact) and `BBHEvaluator` (both sides post-processed, then
 * casefolded), from opencompass/datasets/bbh.py at OPENCOMPASS_COMMIT.
 */
import { PY_B_AFTER_WORD, PY_D, PY_DOT, PY_S, pyCapitalize, pyCasefold, pyStrip } from './pyRegex.js';

/**
 * Multiple-choice tasks: the text between the first and the second "answer is " (case-sensitive,
 * one space), then the letter of the first "(X)", else its first capital A–Z, else that text
 * itself. The gold "(B)" goes through the same function, giving "B".
 */
export function bbhMcq(text: string): string {
  let ans = text;
  const parts = ans.split('answer is ');
  if (parts.length !== 1) ans = pyStrip(parts[1]);
  const paren = /\(([A-Z])\)*/.exec(ans);
  if (paren) return paren[1];
  const cap = /([A-Z])/.exec(ans);
  if (cap) return cap[1];
  return ans;
}

const ANSWER_IS = new RegExp(`answer is${PY_S}*:?${PY_S}*`, 'iu');
const BOLD = new RegExp(`\\*\\*(${PY_DOT}*?)\\*\\*`, 'u');
const YES_NO = new RegExp(`^(yes|no)${PY_B_AFTER_WORD}`, 'iu');
const TRUE_FALSE = new RegExp(`^(true|false)${PY_B_AFTER_WORD}`, 'iu');
const DIGIT_COMMA_DIGIT = new RegExp(`${PY_D}${PY_S}*,${PY_S}*${PY_D}`, 'u');
const COMMA = new RegExp(`${PY_S}*,${PY_S}*`, 'gu');
const SPACES = new RegExp(`${PY_S}+`, 'gu');

/**
 * Free-form tasks: the text after the *last* "answer is" (any case, optional colon), its first
 * line, without a final period, un-bolded; a leading yes/no/true/false word becomes that word
 * capitalised (the trailing clause dropped); otherwise commas between words (not between digits,
 * "1, 2") become spaces and runs of whitespace one space.
 */
export function bbhFreeform(text: string): string {
  let ans = text;
  const parts = ans.split(ANSWER_IS);
  if (parts.length !== 1) ans = pyStrip(parts[parts.length - 1]);
  ans = pyStrip(ans.split('\n')[0]);
  if (ans.endsWith('.')) ans = pyStrip(ans.slice(0, -1));
  const bold = BOLD.exec(ans);
  if (bold) ans = pyStrip(bold[1]);
  const yn = YES_NO.exec(ans) ?? TRUE_FALSE.exec(ans);
  if (yn) return pyCapitalize(yn[1]);
  if (!DIGIT_COMMA_DIGIT.test(ans)) ans = ans.replace(COMMA, ' ');
  return pyStrip(ans.replace(SPACES, ' '));
}

/**
 * `BBHEvaluator`'s comparison, given an already extracted prediction (`bbhFreeform(output)`):
 * equal to the post-processed target when both are casefolded. The prediction is not processed a
 * second time: the rule is not idempotent ("5.." → "5." → "5").
 */
export function bbhFreeformEqual(extracted: string | null, target: string): boolean {
  if (extracted === null) return false;
  return pyCasefold(extracted) === pyCasefold(bbhFreeform(target));
}

/** The 17 BBH tasks OpenCompass scores as multiple choice (answers "(A)"…); the other 10 are free-form. */
export const BBH_MCQ_TASKS: readonly string[] = [
  'temporal_sequences',
  'disambiguation_qa',
  'date_understanding',
  'tracking_shuffled_objects_three_objects',
  'penguins_in_a_table',
  'geometric_shapes',
  'snarks',
  'ruin_names',
  'tracking_shuffled_objects_seven_objects',
  'tracking_shuffled_objects_five_objects',
  'logical_deduction_three_objects',
  'hyperbaton',
  'logical_deduction_five_objects',
  'logical_deduction_seven_objects',
  'movie_recommendation',
  'salient_translation_error_detection',
  'reasoning_about_colored_objects',
];

export const BBH_FREEFORM_TASKS: readonly string[] = [
  'multistep_arithmetic_two',
  'navigate',
  'dyck_languages',
  'word_sorting',
  'sports_understanding',
  'boolean_expressions',
  'object_counting',
  'formal_fallacies',
  'causal_judgement',
  'web_of_lies',
];
