/**
 * Free-text answers: OpenCompass's `general_postprocess` (cut at the first newline / period /
 * comma, drop punctuation and articles) and TriviaQA-style exact match and substring match over
 * SQuAD-style normalised strings.
 */

/** OpenCompass `general_postprocess`. `\w` is Unicode-aware, as in Python. */
export function generalPostprocess(text: string): string {
  const head = text.split(/[\n.,]/)[0];
  const noPunct = head.replace(/[^\p{L}\p{N}_\s]/gu, '');
  const noArticles = noPunct.replace(/\b(a|an|the)\b/gi, '');
  return noArticles.replace(/\s+/g, ' ').trim();
}

/** SQuAD / TriviaQA normalisation: lower case, no punctuation, no articles, single spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\s]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Exact match after normalisation against any of the accepted answers. */
export function exactMatch(prediction: string, golds: readonly string[]): boolean {
  const p = normalizeAnswer(prediction);
  return golds.some((g) => normalizeAnswer(g) === p);
}

/** TriviaQA-style substring match: some normalised gold occurs in the normalised prediction (as whole words). */
export function substringMatch(prediction: string, golds: readonly string[]): boolean {
  const p = ` ${normalizeAnswer(prediction)} `;
  return golds.some((g) => {
    const n = normalizeAnswer(g);
    return n.length > 0 && p.includes(` ${n} `);
  });
}
