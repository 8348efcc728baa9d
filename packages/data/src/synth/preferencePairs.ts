import type { Provider } from '@puyu/client';
import type { PreferencePair } from '../export/exports.js';
import { type JudgeOptions, judgeAnswer } from './judge.js';
import { lastNumber } from './mathProblems.js';

/** How sampled answers are ranked: the arithmetic checker (default), or a judge model's 1–10 scores. */
export type Ranker = { kind: 'checker' } | ({ kind: 'judge'; judge: Provider } & JudgeOptions);

export interface PairOptions {
  /** Answers sampled per prompt (default 4). */
  samples?: number;
  temperature?: number;
  maxTokens?: number;
  /** Concurrent prompts (default 4). */
  concurrency?: number;
  ranker?: Ranker;
  /** Failed judgements kept as examples (default 5). */
  examples?: number;
  /** Sees every prompt's sampled answers (the flywheel writes them out for labelling). */
  onSamples?: (prompt: RankedPrompt, texts: string[]) => void;
}

export interface RankedPrompt {
  prompt: string;
  /** The known result, for the checker (and the accuracy figure); a judge does not need it. */
  answer?: number;
}

export interface RankedPair extends PreferencePair {
  /** Checker ranking: whether each side's last number is the known answer. */
  chosen_correct?: boolean;
  rejected_correct?: boolean;
  /** Judge ranking: each side's score. */
  chosen_score?: number;
  rejected_score?: number;
}

export interface PairResult {
  pairs: RankedPair[];
  /** Checker: prompts where all samples were right or all wrong. Judge: prompts with fewer than two judged answers. */
  noContrast: number;
  /** Judge: prompts whose best and worst answers scored the same (or were the same text): skipped. */
  ties: number;
  failedRequests: number;
  /** Judge: replies without a parseable 1–10 score, or failed judge requests; those answers are left out of the ranking. */
  failedJudgements: number;
  failedJudgementExamples: { prompt: string; reason: string; reply: string }[];
  /** Share of samples the checker accepted, over prompts with a known answer (the model's accuracy there). */
  accuracy: number;
  /** Judge: mean score of the judged answers. */
  meanScore?: number;
}

const isRight = (text: string, answer: number) => {
  const v = lastNumber(text);
  return v !== undefined && Math.abs(v - answer) < 1e-6 * Math.max(1, Math.abs(answer));
};

/**
 * Feedback-based preference pairs: sample N answers per prompt from a served model and rank them,
 * giving the DPO `{prompt, chosen, rejected}` lines `puyu train dpo` reads.
 * - `checker` (default): the last number of an answer must equal the known result; the first
 *   correct answer is chosen, the first wrong one rejected.
 * - `judge`: a second OpenAI-compatible endpoint scores every answer 1–10 (`judge.ts`); the best
 *   is chosen and the worst rejected (the first of equals, in sampling order). A reply without a
 *   score is a failed judgement, counted and left out, never guessed; equal best and worst is a
 *   tie, counted and skipped.
 */
export async function preferencePairs(provider: Provider, prompts: RankedPrompt[], o: PairOptions = {}): Promise<PairResult> {
  const n = o.samples ?? 4;
  const ranker: Ranker = o.ranker ?? { kind: 'checker' };
  const result: PairResult = {
    pairs: [],
    noContrast: 0,
    ties: 0,
    failedRequests: 0,
    failedJudgements: 0,
    failedJudgementExamples: [],
    accuracy: 0,
  };
  let right = 0;
  let checked = 0;
  let scoreSum = 0;
  let scored = 0;
  const slots: (RankedPair | undefined)[] = new Array(prompts.length);
  let next = 0;
  const worker = async () => {
    while (next < prompts.length) {
      const k = next++;
      const p = prompts[k] as RankedPrompt;
      const texts: string[] = [];
      for (let s = 0; s < n; s++) {
        const r = await provider.call({
          kind: 'chat',
          messages: [{ role: 'user', content: p.prompt }],
          params: { temperature: o.temperature ?? 0.8, maxTokens: o.maxTokens ?? 256, seed: s },
        });
        if (r.ok) texts.push(...r.texts);
        else result.failedRequests++;
      }
      o.onSamples?.(p, texts);
      const ok = p.answer === undefined ? undefined : texts.map((t) => isRight(t, p.answer as number));
      if (ok) {
        right += ok.filter(Boolean).length;
        checked += ok.length;
      }
      if (ranker.kind === 'checker') {
        const c = ok ? ok.indexOf(true) : -1;
        const w = ok ? ok.indexOf(false) : -1;
        if (c < 0 || w < 0) result.noContrast++;
        else
          slots[k] = {
            prompt: p.prompt,
            chosen: texts[c] as string,
            rejected: texts[w] as string,
            chosen_correct: true,
            rejected_correct: false,
          };
        continue;
      }
      const judged: { text: string; score: number; i: number }[] = [];
      for (let i = 0; i < texts.length; i++) {
        const j = await judgeAnswer(ranker.judge, p.prompt, texts[i] as string, ranker);
        if (j.ok) {
          judged.push({ text: texts[i] as string, score: j.score, i });
          scoreSum += j.score;
          scored++;
          continue;
        }
        result.failedJudgements++;
        if (result.failedJudgementExamples.length < (o.examples ?? 5))
          result.failedJudgementExamples.push({ prompt: p.prompt, reason: j.reason, reply: j.reply.slice(0, 200) });
      }
      if (judged.length < 2) {
        result.noContrast++;
        continue;
      }
      // Best = highest score, worst = lowest; among equals the earliest sample, so the result is deterministic.
      const best = judged.reduce((a, b) => (b.score > a.score ? b : a));
      const worst = judged.reduce((a, b) => (b.score < a.score ? b : a));
      if (best.score === worst.score || best.text === worst.text) {
        result.ties++;
        continue;
      }
      slots[k] = {
        prompt: p.prompt,
        chosen: best.text,
        rejected: worst.text,
        chosen_score: best.score,
        rejected_score: worst.score,
        ...(ok ? { chosen_correct: ok[best.i], rejected_correct: ok[worst.i] } : {}),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 4) }, worker));
  result.pairs = slots.filter((x): x is RankedPair => x !== undefined);
  result.accuracy = checked > 0 ? right / checked : 0;
  if (ranker.kind === 'judge') result.meanScore = scored > 0 ? scoreSum / scored : 0;
  return result;
}
