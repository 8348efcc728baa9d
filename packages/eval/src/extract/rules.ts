/**
 * Named extraction rules, one per OpenCompass post-processor we carry. Evaluators, the extraction
 * table and `scoreDataset` all go through `extractAnswer`, so a rule behaves the same everywhere.
 */
import { EvaluationError } from '../types.js';
import { bbhFreeform, bbhMcq } from './bbh.js';
import { type MathOptions, mathExtract } from './math.js';
import { gsm8kExtract } from './numbers.js';
import { type ChoiceOptions, extractChoice, firstCapital, firstOption } from './options.js';
import { generalPostprocess } from './text.js';

export type ExtractionRule =
  | 'first-option'
  | 'first-option-strict'
  | 'mcq'
  | 'first-capital'
  | 'gsm8k'
  | 'math'
  | 'bbh-mcq'
  | 'bbh-freeform'
  | 'general'
  | 'raw';

export const EXTRACTION_RULES: readonly ExtractionRule[] = [
  'first-option',
  'first-option-strict',
  'mcq',
  'first-capital',
  'gsm8k',
  'math',
  'bbh-mcq',
  'bbh-freeform',
  'general',
  'raw',
];

export interface ExtractContext {
  /** Option alphabet for MCQ rules (`ABCD`, `ABCDE`). */
  options?: string;
  /** Option texts, for the opt-in option-text fallback of the `mcq` rule. */
  choices?: readonly string[];
  /** Opt-in deviations of the `mcq` rule (off: exactly OpenCompass). */
  choice?: ChoiceOptions;
  /** Opt-in deviations of the `math` rule (off: exactly OpenCompass). */
  math?: MathOptions;
}

/** Applies a rule; `null` means no answer was found (OpenCompass's '' / 'NULL'). */
export function extractAnswer(rule: ExtractionRule, output: string, ctx: ExtractContext = {}): string | null {
  const options = ctx.options ?? 'ABCD';
  let r: string | null;
  switch (rule) {
    case 'first-option':
      r = firstOption(output, options, true);
      break;
    case 'first-option-strict':
      r = firstOption(output, options, false);
      break;
    case 'mcq':
      r = extractChoice(output, ctx.choices, options, ctx.choice);
      break;
    case 'first-capital':
      r = firstCapital(output);
      break;
    case 'gsm8k':
      r = gsm8kExtract(output);
      break;
    case 'math':
      r = mathExtract(output, ctx.math);
      break;
    case 'bbh-mcq':
      r = bbhMcq(output);
      break;
    case 'bbh-freeform':
      r = bbhFreeform(output);
      break;
    case 'general':
      r = generalPostprocess(output);
      break;
    case 'raw':
      r = output.trim();
      break;
    default:
      throw new EvaluationError(
        'EVAL_UNKNOWN_RULE',
        `Unknown extraction rule "${String(rule)}". Use one of: ${EXTRACTION_RULES.join(', ')}.`,
      );
  }
  return r === '' ? null : r;
}
