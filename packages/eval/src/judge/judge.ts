import type { Provider } from '@puyu/client';
import { callCached } from '../inferencers/callCached.js';
import type { SampleCache } from '../runner/SampleCache.js';
import { pairwisePrompt, parseRating, parseVerdict, singleGradePrompt } from './judgePrompts.js';

export interface JudgeOptions {
  judge: Provider;
  cache?: SampleCache;
  /** Judgements in flight (default 4). */
  concurrency?: number;
  rubric?: string;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface SingleItem {
  id: string;
  question: string;
  answer: string;
  reference?: string;
}

export interface SingleJudgement {
  id: string;
  /** 1–10, or null when the judge failed or gave no parsable rating. */
  score: number | null;
  judgement: string;
  error?: { code: string; message: string };
}

export interface PairItem {
  id: string;
  question: string;
  /** Answers of the two models compared ("A" is the first model, whatever order the judge saw). */
  answerA: string;
  answerB: string;
  reference?: string;
}

export interface PairJudgement {
  id: string;
  winner: 'A' | 'B' | 'tie';
  /** Verdict with A shown first, and with B shown first (mapped back to the models). */
  verdicts: ['A' | 'B' | 'tie' | null, 'A' | 'B' | 'tie' | null];
  /** Whether both orders agreed; an inconsistent pair counts as a tie (position bias cancels out). */
  consistent: boolean;
  judgements: [string, string];
  error?: { code: string; message: string };
}

async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function ask(o: JudgeOptions, prompt: string): Promise<{ text: string } | { error: { code: string; message: string } }> {
  const r = await callCached(
    { provider: o.judge, cache: o.cache, signal: o.signal },
    { kind: 'chat', messages: [{ role: 'user', content: prompt }], params: { temperature: 0, maxTokens: o.maxTokens ?? 1024 } },
  );
  return r.ok ? { text: r.texts[0] ?? '' } : { error: { code: r.error.code, message: r.error.message } };
}

/** Single-answer grading (MT-Bench style): a 1–10 score per answer against a rubric and optional reference. */
export async function judgeSingle(items: readonly SingleItem[], o: JudgeOptions): Promise<SingleJudgement[]> {
  return pool(items, o.concurrency ?? 4, async (it) => {
    const r = await ask(o, singleGradePrompt(it.question, it.answer, { reference: it.reference, rubric: o.rubric }));
    if ('error' in r) return { id: it.id, score: null, judgement: '', error: r.error };
    const score = parseRating(r.text);
    return score === null
      ? { id: it.id, score, judgement: r.text, error: { code: 'JUDGE_NO_RATING', message: 'the judgement has no [[1-10]] rating' } }
      : { id: it.id, score, judgement: r.text };
  });
}

/**
 * Pairwise comparison with position swap: the judge sees (A, B) and then (B, A). The
 * winner stands only if both orders name the same model; otherwise the pair is a tie,
 * which removes a judge's preference for the first (or second) slot.
 */
export async function judgePairwise(items: readonly PairItem[], o: JudgeOptions): Promise<PairJudgement[]> {
  return pool(items, o.concurrency ?? 4, async (it) => {
    const opts = { reference: it.reference, rubric: o.rubric };
    const [first, second] = await Promise.all([
      ask(o, pairwisePrompt(it.question, it.answerA, it.answerB, opts)),
      ask(o, pairwisePrompt(it.question, it.answerB, it.answerA, opts)),
    ]);
    const v1 = 'text' in first ? parseVerdict(first.text) : null;
    const raw2 = 'text' in second ? parseVerdict(second.text) : null;
    // In the swapped order "A" on screen was model B.
    const v2 = raw2 === 'A' ? 'B' : raw2 === 'B' ? 'A' : raw2;
    const consistent = v1 !== null && v1 === v2;
    const error = 'error' in first ? first.error : 'error' in second ? second.error : undefined;
    return {
      id: it.id,
      winner: consistent ? v1 : 'tie',
      verdicts: [v1, v2],
      consistent,
      judgements: ['text' in first ? first.text : '', 'text' in second ? second.text : ''],
      ...(error ? { error } : {}),
    };
  });
}

/** Win rates from pairwise judgements: ties count half to each side (as AlpacaEval / OpenCompass's compare summaries do). */
export function pairwiseSummary(results: readonly PairJudgement[]): {
  winA: number;
  winB: number;
  tie: number;
  winRateA: number;
  consistency: number;
} {
  const n = results.length || 1;
  const winA = results.filter((r) => r.winner === 'A').length;
  const winB = results.filter((r) => r.winner === 'B').length;
  const tie = results.length - winA - winB;
  return {
    winA,
    winB,
    tie,
    winRateA: (100 * (winA + tie / 2)) / n,
    consistency: (100 * results.filter((r) => r.consistent).length) / n,
  };
}

/** Mean 1–10 score over rated answers, and how many could not be rated. */
export function singleSummary(results: readonly SingleJudgement[]): { mean: number; rated: number; unrated: number } {
  const rated = results.filter((r) => r.score !== null);
  return {
    mean: rated.length ? rated.reduce((a, r) => a + (r.score ?? 0), 0) / rated.length : 0,
    rated: rated.length,
    unrated: results.length - rated.length,
  };
}
