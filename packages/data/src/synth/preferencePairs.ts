import type { Provider } from '@puyu/client';
import type { PreferencePair } from '../export/exports.js';
import { lastNumber } from './mathProblems.js';

export interface PairOptions {
  /** Answers sampled per prompt (default 4). */
  samples?: number;
  temperature?: number;
  maxTokens?: number;
  /** Concurrent prompts (default 4). */
  concurrency?: number;
}

export interface RankedPrompt {
  prompt: string;
  answer: number;
}

export interface PairResult {
  pairs: (PreferencePair & { chosen_correct: boolean; rejected_correct: boolean })[];
  /** Prompts where all samples were right or all wrong: no contrast, no pair. */
  noContrast: number;
  failedRequests: number;
  /** Share of samples the checker accepted (the model's accuracy on these prompts). */
  accuracy: number;
}

/**
 * Feedback-based preference pairs: sample N answers per prompt from a served model, rank them
 * with an automatic checker (the last number of the answer equals the known result), and pair
 * the first correct answer (chosen) with the first wrong one (rejected) — the DPO
 * `{prompt, chosen, rejected}` lines `puyu train dpo` reads.
 */
export async function preferencePairs(provider: Provider, prompts: RankedPrompt[], o: PairOptions = {}): Promise<PairResult> {
  const n = o.samples ?? 4;
  const result: PairResult = { pairs: [], noContrast: 0, failedRequests: 0, accuracy: 0 };
  let right = 0;
  let total = 0;
  const slots: (PairResult['pairs'][number] | undefined)[] = new Array(prompts.length);
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
      const ok = texts.map((t) => {
        const v = lastNumber(t);
        return v !== undefined && Math.abs(v - p.answer) < 1e-6 * Math.max(1, Math.abs(p.answer));
      });
      right += ok.filter(Boolean).length;
      total += texts.length;
      const c = ok.indexOf(true);
      const w = ok.indexOf(false);
      if (c < 0 || w < 0) {
        result.noContrast++;
        continue;
      }
      slots[k] = {
        prompt: p.prompt,
        chosen: texts[c] as string,
        rejected: texts[w] as string,
        chosen_correct: true,
        rejected_correct: false,
      };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 4) }, worker));
  result.pairs = slots.filter((x): x is NonNullable<typeof x> => x !== undefined);
  result.accuracy = total > 0 ? right / total : 0;
  return result;
}
