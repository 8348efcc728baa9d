import type { Provider } from '@puyu/client';

export interface JudgeOptions {
  /**
   * Prompt template with `{question}` and `{answer}`; default: @puyu/eval's single-answer grading
   * prompt (MT-Bench style, the one `puyu eval judge` uses).
   */
  template?: string;
  /** Tokens the judge may write (default 256: a short assessment, then the score). */
  maxTokens?: number;
}

export type Judgement = { ok: true; score: number; reply: string } | { ok: false; reason: string; reply: string };

/**
 * One judgement: the judge model scores one answer to one question (temperature 0). The prompt and
 * the score reader are @puyu/eval's (`singleGradePrompt`, `parseRating`), so the flywheel's judge
 * and `puyu eval judge` grade alike; loaded on first use, so data commands without a judge skip it.
 */
export async function judgeAnswer(judge: Provider, question: string, answer: string, o: JudgeOptions = {}): Promise<Judgement> {
  const { parseRating, singleGradePrompt } = await import('@puyu/eval');
  const content = o.template
    ? o.template.replaceAll('{question}', question).replaceAll('{answer}', answer)
    : singleGradePrompt(question, answer);
  const r = await judge.call({
    kind: 'chat',
    messages: [{ role: 'user', content }],
    params: { temperature: 0, maxTokens: o.maxTokens ?? 256 },
  });
  if (!r.ok) return { ok: false, reason: `request failed: ${r.error.message}`, reply: '' };
  const reply = r.texts[0] ?? '';
  const score = parseRating(reply);
  return score === null ? { ok: false, reason: 'no 1–10 score in the reply', reply } : { ok: true, score, reply };
}
