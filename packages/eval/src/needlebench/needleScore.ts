/** Edit distance (insert/delete/substitute = 1), two rows of memory. */
export function levenshtein(a: string, b: string): number {
  if (a.length < b.length) [a, b] = [b, a];
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 0; i < a.length; i++) {
    const cur = [i + 1];
    for (let j = 0; j < b.length; j++) cur.push(Math.min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (a[i] === b[j] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * OpenCompass's single-needle rule: 100 when the keyword appears in the raw answer;
 * otherwise a fifth of the Levenshtein similarity between the answer and the needle
 * (both with all whitespace removed), so a near miss still ranks above silence.
 */
export function singleNeedleScore(prediction: string, reference: string, keyword: string): { score: number; editDistance: number } {
  const p = prediction.replace(/\s+/g, '');
  const r = reference.replace(/\s+/g, '');
  const editDistance = levenshtein(p, r);
  const maxLen = Math.max(p.length, r.length);
  const similarity = maxLen === 0 ? 100 : 100 * (1 - editDistance / maxLen);
  return { score: prediction.includes(keyword) ? 100 : 0.2 * similarity, editDistance };
}

/** OpenCompass's multi-needle rule: each whitespace-separated keyword found (case-insensitive) earns an equal share of 100. */
export function multiNeedleScore(prediction: string, keyword: string): { score: number; matched: number } {
  const words = keyword.toLowerCase().split(/\s+/).filter(Boolean);
  const p = prediction.toLowerCase();
  const matched = words.filter((w) => p.includes(w)).length;
  return { score: words.length ? (100 * matched) / words.length : 0, matched };
}
