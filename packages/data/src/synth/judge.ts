import type { Provider } from '@puyu/client';

export interface JudgeOptions {
  /** Prompt template; `{question}` and `{answer}` are replaced (default JUDGE_TEMPLATE). */
  template?: string;
  /** Tokens the judge may write (default 64: a score, perhaps a short reason first). */
  maxTokens?: number;
}

/** The default judge prompt: a single 1–10 score on a line of its own, so it parses without guessing. */
export const JUDGE_TEMPLATE = [
  'You are grading an answer to a question. Judge whether the answer is correct, complete and clearly explained.',
  '',
  '[Question]',
  '{question}',
  '',
  '[Answer]',
  '{answer}',
  '',
  'Rate the answer from 1 (wrong or useless) to 10 (correct and clear). Reply with one line of the form "Score: N", where N is an integer from 1 to 10.',
].join('\n');

export type Judgement = { ok: true; score: number; reply: string } | { ok: false; reason: string; reply: string };

const NUM = '(\\d+(?:\\.\\d+)?)';

/**
 * The score in a judge's reply, or undefined when there is none to read without guessing. In
 * order: the last `Score: N` (also `score = N`, `评分：N`, `**Score:** N`), else `N/10` or
 * `N out of 10`, else a reply that is just a number. Scores outside 1–10 are no score: a judge
 * that answers "Score: 42" did not follow the scale, and clamping it would invent a judgement.
 */
export function parseJudgeScore(reply: string): number | undefined {
  const text = reply.replace(/\*\*/g, '');
  const labelled = [...text.matchAll(new RegExp(`(?:score|rating|评分|得分|分数)\\s*[:：=]?\\s*${NUM}`, 'gi'))];
  const pick = (m: RegExpMatchArray | undefined) => (m ? Number(m[1]) : undefined);
  let score = pick(labelled.at(-1));
  if (score === undefined) score = pick([...text.matchAll(new RegExp(`${NUM}\\s*(?:/|out of)\\s*10\\b`, 'gi'))].at(-1));
  if (score === undefined) score = pick(new RegExp(`^\\s*${NUM}\\s*[.。]?\\s*$`).exec(text) ?? undefined);
  return score !== undefined && score >= 1 && score <= 10 ? score : undefined;
}

/** One judgement: the judge model scores one answer to one question (temperature 0). */
export async function judgeAnswer(judge: Provider, question: string, answer: string, o: JudgeOptions = {}): Promise<Judgement> {
  const content = (o.template ?? JUDGE_TEMPLATE).replaceAll('{question}', question).replaceAll('{answer}', answer);
  const r = await judge.call({
    kind: 'chat',
    messages: [{ role: 'user', content }],
    params: { temperature: 0, maxTokens: o.maxTokens ?? 64 },
  });
  if (!r.ok) return { ok: false, reason: `request failed: ${r.error.message}`, reply: '' };
  const reply = r.texts[0] ?? '';
  const score = parseJudgeScore(reply);
  return score === undefined ? { ok: false, reason: 'no 1–10 score in the reply', reply } : { ok: true, score, reply };
}
