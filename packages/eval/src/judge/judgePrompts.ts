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

const NUM = '(\\d+(?:\\.\\d+)?)';

/**
 * The 1–10 score in a judgement, or null when there is none to read without guessing. In order:
 * the last `[[n]]`; else the last labelled score (`Rating: n`, `Score: n`, `score = n`, `评分：n`,
 * markdown bold ignored); else `n/10` or `n out of 10`; else a reply that is only a number. A score
 * off the 1–10 scale is no score: clamping it would invent a judgement.
 */
export function parseRating(text: string): number | null {
  const t = text.replace(/\*\*/g, '');
  const last = (re: RegExp) => [...t.matchAll(re)].at(-1)?.[1];
  const found =
    last(/\[\[\s*(\d+(?:\.\d+)?)\s*\]\]/g) ??
    last(new RegExp(`(?:rating|score|评分|得分|分数)\\s*[:：=]?\\s*${NUM}`, 'gi')) ??
    last(new RegExp(`${NUM}\\s*(?:/|out of)\\s*10\\b`, 'gi')) ??
    new RegExp(`^\\s*${NUM}\\s*[.。]?\\s*$`).exec(t)?.[1];
  if (found === undefined) return null;
  const v = Number(found);
  return v >= 1 && v <= 10 ? v : null;
}

/** The last `[[A]]`, `[[B]]` or `[[C]]` (tie) in a judgement. */
export function parseVerdict(text: string): 'A' | 'B' | 'tie' | null {
  const m = [...text.matchAll(/\[\[\s*([ABC])\s*\]\]/g)].at(-1)?.[1];
  return m === 'A' ? 'A' : m === 'B' ? 'B' : m === 'C' ? 'tie' : null;
}
