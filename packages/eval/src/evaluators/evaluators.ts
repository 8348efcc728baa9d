/**
 * The answer-comparing evaluators, one per OpenCompass evaluator we carry. Each is an
 * `AnswerRule` (extract + compare) run by `AnswerEvaluator`. Called with no argument (as the
 * dataset registry does) each scores exactly as OpenCompass; the option objects turn on named
 * deviations, all of which raise scores (extract/README.md lists them).
 */
import { bbhFreeform, bbhFreeformEqual, bbhMcq } from '../extract/bbh.js';
import { type MathOptions, mathEquiv, mathExtract } from '../extract/math.js';
import { gsm8kEqual, gsm8kExtract } from '../extract/numbers.js';
import { type ChoiceOptions, extractChoice } from '../extract/options.js';
import { exactMatch, generalPostprocess, substringMatch } from '../extract/text.js';
import { type EvalSample, OPTION_LABELS } from '../types.js';
import { AnswerEvaluator } from './AnswerEvaluator.js';

const optionsOf = (s: EvalSample): string => OPTION_LABELS.slice(0, Math.max(s.choices?.length ?? 4, 1));
/** Accepted answers: `meta.answers` (TriviaQA-style alias lists) or the single gold. */
const goldsOf = (s: EvalSample): string[] => (Array.isArray(s.meta.answers) ? (s.meta.answers as string[]) : [s.gold]);

/** Multiple choice: `first_option_postprocess` (opt-in: option-text match, parenthesised letter), letter accuracy. */
export function accuracyEvaluator(opts: ChoiceOptions = {}): AnswerEvaluator {
  return new AnswerEvaluator({
    name: 'accuracy',
    extract: (o, s) => extractChoice(o, s.choices, optionsOf(s), opts) || null,
    equal: (p, s) => p === s.gold,
  });
}

/** Exact match after `general_postprocess` and SQuAD normalisation. */
export function emEvaluator(): AnswerEvaluator {
  return new AnswerEvaluator({
    name: 'em',
    metric: 'score',
    extract: (o) => generalPostprocess(o) || null,
    equal: (p, s) => p !== null && exactMatch(p, goldsOf(s)),
  });
}

/** TriviaQA-style: correct when a normalised gold answer occurs in the normalised output. */
export function substringEvaluator(): AnswerEvaluator {
  return new AnswerEvaluator({
    name: 'substring',
    metric: 'score',
    extract: (o) => o.trim() || null,
    equal: (p, s) => p !== null && substringMatch(p, goldsOf(s)),
  });
}

export function gsm8kEvaluator(): AnswerEvaluator {
  return new AnswerEvaluator({ name: 'gsm8k', extract: (o) => gsm8kExtract(o), equal: (p, s) => gsm8kEqual(p, s.gold) });
}

/** `math_postprocess_v2` + `MATHEvaluator(version='v2')`; opt-in `lenientBoxes`, `lenientFractions`. */
export function mathEvaluator(opts: MathOptions = {}): AnswerEvaluator {
  return new AnswerEvaluator({
    name: 'math',
    extract: (o) => mathExtract(o, opts) || null,
    equal: (p, s) => mathEquiv(p, s.gold, opts),
  });
}

export interface BbhOptions {
  /**
   * Ours, raises scores: a multiple-choice item whose target is option text rather than "(X)"
   * (ruin_names has two, "dearth, wind, & fire") is scored with the free-form rule. OpenCompass
   * runs `bbh_mcq_postprocess` on both sides, which such items can hardly match.
   */
  freeformTextTargets?: boolean;
}

/**
 * BBH, as OpenCompass scores it: multiple-choice tasks (`meta.bbhKind === 'mcq'`) compare
 * `bbh_mcq_postprocess` of output and target exactly (`BBHEvaluator_mcq`); free-form tasks compare
 * `bbh_freeform_postprocess` of both, casefolded (`BBHEvaluator`).
 */
export function bbhEvaluator(opts: BbhOptions = {}): AnswerEvaluator {
  const useMcq = (s: EvalSample) => s.meta.bbhKind === 'mcq' && (!opts.freeformTextTargets || /^\([A-Z]\)$/.test(s.gold));
  return new AnswerEvaluator({
    name: 'bbh',
    metric: 'score',
    extract: (o, s) => (useMcq(s) ? bbhMcq(o) : bbhFreeform(o)) || null,
    equal: (p, s) => p !== null && (useMcq(s) ? p === bbhMcq(s.gold) : bbhFreeformEqual(p, s.gold)),
  });
}
