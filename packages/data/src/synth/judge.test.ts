import { openModel } from '@puyu/client';
import { startOpenAIPeer } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { preferencePairs } from './preferencePairs.js';

describe('preferencePairs with a judge model', () => {
  it('pairs the best- and worst-scored answers; ties are skipped and unscored replies counted', async () => {
    // The sampled model: seed s answers "Answer s" to every prompt (4 distinct answers per prompt).
    const model = await startOpenAIPeer((r) => `Answer ${Number(r.body.seed ?? 0)} to ${r.prompt}`);
    // The judge's score reader (@puyu/eval's parseRating) is tested in packages/eval/src/judge.
    // The judge, scripted per prompt: p1 ranks seed 2 best and seed 0 worst; p2 gives every answer 5
    // (a tie); p3 never writes a score for two answers (failed judgements) and ranks the other two.
    const scores: Record<string, (seed: number) => string> = {
      p1: (s) => `Score: ${[1, 6, 9, 6][s]}`,
      p2: () => 'Score: 5',
      p3: (s) => (s < 2 ? 'A reasonable attempt.' : `I'd give it ${s === 2 ? 4 : 7}/10`),
    };
    const judge = await startOpenAIPeer((r) => {
      const m = /answer\]\nAnswer (\d) to (p\d)/.exec(r.prompt); // the answer section of the grading prompt
      return m ? (scores[m[2] as string] as (s: number) => string)(Number(m[1])) : 'no idea';
    });
    try {
      const { provider } = await openModel({ spec: `${model.url}@m` });
      const { provider: judgeProvider } = await openModel({ spec: `${judge.url}@judge` });
      const r = await preferencePairs(provider, [{ prompt: 'p1' }, { prompt: 'p2' }, { prompt: 'p3' }], {
        samples: 4,
        ranker: { kind: 'judge', judge: judgeProvider },
      });
      expect(r.pairs).toEqual([
        { prompt: 'p1', chosen: 'Answer 2 to p1', rejected: 'Answer 0 to p1', chosen_score: 9, rejected_score: 1 },
        { prompt: 'p3', chosen: 'Answer 3 to p3', rejected: 'Answer 2 to p3', chosen_score: 7, rejected_score: 4 },
      ]);
      expect(r.ties).toBe(1);
      expect(r.failedJudgements).toBe(2);
      expect(r.failedJudgementExamples.map((e) => [e.prompt, e.reason, e.reply])).toEqual([
        ['p3', 'no 1–10 score in the reply', 'A reasonable attempt.'],
        ['p3', 'no 1–10 score in the reply', 'A reasonable attempt.'],
      ]);
      expect(r.noContrast).toBe(0);
      expect(r.meanScore).toBeCloseTo((1 + 6 + 9 + 6 + 5 * 4 + 4 + 7) / 10, 10);
      // Every answer was judged once, at temperature 0, with the question and the answer in the prompt.
      const judged = judge.requests.filter((q) => q.route === 'chat');
      expect(judged).toHaveLength(12);
      expect(judged.every((q) => q.body.temperature === 0 && /\[Question\]\np\d\n/.test(q.prompt))).toBe(true);
    } finally {
      await model.close();
      await judge.close();
    }
  });
});
