/**
 * Judge prompts in the MT-Bench / AlignBench shape OpenCompass's subjective evaluation
 * uses: a rubric, the question, the answer(s), and a verdict in double brackets so it
 * can be parsed out of free text. Worded for this project.
 */

export const DEFAULT_RUBRIC =
  'Consider correctness first, then helpfulness, relevance, depth and clarity. A wrong final answer caps the score at 3. Do not reward length for its own sake.';

export function singleGradePrompt(question: string, answer: string, opts: { reference?: string; rubric?: string } = {}): string {
  return [
    'Please act as an impartial judge and grade the quality of the AI assistant answer shown below.',
    `Rubric: ${opts.rubric ?? DEFAULT_RUBRIC}`,
    'First explain your assessment briefly, then give a score from 1 to 10 in exactly this format: "Rating: [[5]]".',
    '',
    `[Question]\n${question}`,
    opts.reference ? `\n[Reference answer]\n${opts.reference}` : '',
    `\n[Assistant's answer]\n${answer}`,
  ]
    .filter((l) => l !== '')
    .join('\n');
}

export function pairwisePrompt(
  question: string,
  first: string,
  second: string,
  opts: { reference?: string; rubric?: string } = {},
): string {
  return [
    'Please act as an impartial judge and compare the two AI assistant answers to the question below.',
    `Rubric: ${opts.rubric ?? DEFAULT_RUBRIC}`,
    'The order in which the answers appear must not influence you. Explain briefly, then end with your verdict in exactly one of these forms: "[[A]]" if answer A is better, "[[B]]" if answer B is better, "[[C]]" for a tie.',
    '',
    `[Question]\n${question}`,
    opts.reference ? `\n[Reference answer]\n${opts.reference}` : '',
    `\n[Answer A]\n${first}`,
    `\n[Answer B]\n${second}`,
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/** The last `[[n]]` (or a trailing "Rating: n") in a judgement, if it is within 1–10. */
export function parseRating(text: string): number | null {
  const bracketed = [...text.matchAll(/\[\[\s*(\d+(?:\.\d+)?)\s*\]\]/g)].at(-1)?.[1];
  const plain = bracketed ?? [...text.matchAll(/rating\s*[:：]\s*(\d+(?:\.\d+)?)/gi)].at(-1)?.[1];
  if (plain === undefined) return null;
  const v = Number(plain);
  return v >= 1 && v <= 10 ? v : null;
}

/** The last `[[A]]`, `[[B]]` or `[[C]]` (tie) in a judgement. */
export function parseVerdict(text: string): 'A' | 'B' | 'tie' | null {
  const m = [...text.matchAll(/\[\[\s*([ABC])\s*\]\]/g)].at(-1)?.[1];
  return m === 'A' ? 'A' : m === 'B' ? 'B' : m === 'C' ? 'tie' : null;
}
