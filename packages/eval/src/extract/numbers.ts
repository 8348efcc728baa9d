/**
 * GSM8K answers: OpenCompass's `gsm8k_postprocess` (prediction), `gsm8k_dataset_postprocess`
 * (gold) and `Gsm8kEvaluator.is_equal`, from opencompass/datasets/gsm8k.py at OPENCOMPASS_COMMIT.
 *
 * The prediction rule keeps the text before any `Question:` (a base model running on into the
 * next few-shot item) and takes the last match of `-?\d+\.\d+|-?\d+`. Python's `\d` is every
 * Unicode decimal digit and `float()` reads them, so "答案是１２" answers 12 there and here.
 * Faithfully kept consequences: a thousands separator splits a number ("1,200" → "200"), and
 * "$5.00" → "5.00" (equal to gold 5 numerically).
 */
import { PY_D, pyFloat, pyIntString } from './pyRegex.js';

const NUMBER = new RegExp(`-?${PY_D}+\\.${PY_D}+|-?${PY_D}+`, 'gu');

/** The last number in the output, or `null` (OpenCompass returns the string 'NULL'). */
export function gsm8kExtract(text: string): string | null {
  const head = text.split('Question:')[0];
  const all = head.match(NUMBER);
  return all ? all[all.length - 1] : null;
}

/** Gold from a GSM8K `answer` field: the text after `#### ` with commas removed. */
export function gsm8kGold(answer: string): string {
  const at = answer.indexOf('#### ');
  // OpenCompass indexes [1] and would raise; the loaders only hand us answers that have one.
  if (at < 0) return answer.trim().replace(/,/g, '');
  return answer
    .slice(at + 5)
    .split('#### ')[0]
    .replace(/,/g, '');
}

/** `pred == refer or abs(float(pred) - int(refer)) < 1e-6`, where a ValueError means unequal. */
export function gsm8kEqual(pred: string | null, gold: string): boolean {
  if (pred === null) return false;
  if (pred === gold) return true;
  try {
    // int() may hold more digits than a double; Python converts it to float for the subtraction,
    // rounding to nearest, as Number() of the decimal string does.
    return Math.abs(pyFloat(pred) - Number(pyIntString(gold))) < 1e-6;
  } catch {
    return false;
  }
}
