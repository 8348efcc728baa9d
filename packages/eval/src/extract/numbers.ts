/**
 * GSM8K answers: OpenCompass's `gsm8k_postprocess` (prediction) and `gsm8k_dataset_postprocess`
 * (gold), with `Gsm8kEvaluator.is_equal`.
 *
 * The prediction rule keeps the text before any `Question:` (a base model running on into the
 * next few-shot item) and takes the last number matching `-?\d+\.\d+|-?\d+`. Faithfully kept
 * consequences, listed in the extraction table: a thousands separator splits a number
 * ("1,200" → "200"), and "$5.00" → "5.00" (equal to gold 5 numerically).
 */

const NUMBER = /-?\d+\.\d+|-?\d+/g;

/** The last number in the output, or `null` (OpenCompass returns the string 'NULL'). */
export function gsm8kExtract(text: string): string | null {
  const head = text.split('Question:')[0];
  const all = head.match(NUMBER);
  return all ? all[all.length - 1] : null;
}

/** Gold from a GSM8K `answer` field: the text after `#### ` with commas removed. */
export function gsm8kGold(answer: string): string {
  const at = answer.indexOf('#### ');
  if (at < 0) return answer.trim().replace(/,/g, '');
  // Python's split('#### ')[1] stops at a second separator; the data never has one.
  return answer
    .slice(at + 5)
    .split('#### ')[0]
    .replace(/,/g, '');
}

/** `pred == refer or abs(float(pred) - int(refer)) < 1e-6`. */
export function gsm8kEqual(pred: string | null, gold: string): boolean {
  if (pred === null) return false;
  if (pred === gold) return true;
  if (!/^\s*[+-]?\d+\s*$/.test(gold)) return false;
  const p = Number(pred);
  return Number.isFinite(p) && Math.abs(p - Number.parseInt(gold, 10)) < 1e-6;
}
