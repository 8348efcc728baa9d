import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDialogueJsonl, recordLine } from '@puyu/label';
import { startOpenAIPeer, wordTokens } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { writeTestCorpus } from '../pipeline/testCorpus.js';
import { type Dialogue, labelRecord } from './fixtures/labelRecord.js';
import { runFlywheel } from './flywheel.js';
import { lastNumber } from './mathProblems.js';

/** The test model's arithmetic: the right change is paid − n × price; odd seeds forget to subtract. */
function changeAnswer(question: string, seed = 0): number {
  const m = /(\d+)[^\d]+(\d+)[^\d]+(\d+)/.exec(question);
  return m ? (seed % 2 ? Number(m[3]) : Number(m[3]) - Number(m[1]) * Number(m[2])) : 0;
}

/** A corpus, a normalize-only pipeline and a round recipe with the given `pairs:` mapping. */
function setupRound(modelUrl: string, pairs: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'puyu-flywheel-'));
  writeTestCorpus(join(dir, 'corpus'), 1, 8);
  writeFileSync(join(dir, 'score.yaml'), 'name: score\ninput: { paths: [corpus/*.jsonl] }\nsteps:\n  - normalize: {}\n');
  writeFileSync(
    join(dir, 'round.yaml'),
    `model: "${modelUrl}@m"\npipeline: score.yaml\nout: round-1\nsynth: { kinds: [arithmetic], count: 6, seed: 2 }\npairs: ${pairs}\n`,
  );
  return dir;
}

const readJsonl = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('runFlywheel', () => {
  it('scores the corpus with the model, generates SFT data and ranks the model’s answers into DPO pairs', async () => {
    // The "current model": echo logprobs that make Chinese unlikely, and arithmetic answers that are right half the time.
    const peer = await startOpenAIPeer((r) => {
      if (r.route === 'completions') {
        const { tokens, text_offset } = wordTokens(String(r.body.prompt));
        return {
          logprobs: {
            tokens,
            text_offset,
            token_logprobs: tokens.map((t, i) => (i === 0 ? null : -1 - 9 * (t.match(/[\u4e00-\u9fff]/g)?.length ?? 0))),
          },
        };
      }
      const seed = Number(r.body.seed ?? 0);
      const m = /(\d+)[^\d]+(\d+)[^\d]+(\d+)/.exec(r.prompt);
      // The right change is paid − n × price; odd seeds forget to subtract.
      const answer = m ? (seed % 2 ? Number(m[3]) : Number(m[3]) - Number(m[1]) * Number(m[2])) : 0;
      return `So the answer is ${answer}.`;
    });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'puyu-flywheel-'));
      writeTestCorpus(join(dir, 'corpus'), 2, 16);
      writeFileSync(
        join(dir, 'score.yaml'),
        `name: score\ninput: { paths: [corpus/*.jsonl, corpus/*.gz] }\nsteps:\n  - normalize: {}\n  - perplexity: { model: "${peer.url}@m", max_perplexity: 100 }\n`,
      );
      writeFileSync(
        join(dir, 'round.yaml'),
        `model: "${peer.url}@m"\npipeline: score.yaml\nout: round-1\nsynth: { kinds: [arithmetic, calculator], count: 12, seed: 2 }\npairs: { prompts: 4, samples: 2 }\n`,
      );
      const r = await runFlywheel(join(dir, 'round.yaml'), { silent: true });
      expect(r.corpusRead).toBeGreaterThan(r.corpusKept); // Chinese documents dropped for high perplexity
      expect(r.sft).toBe(12);
      expect(r.dpo).toBe(4);
      const pairs = readFileSync(join(dir, 'round-1', 'dpo.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      for (const p of pairs) expect(lastNumber(p.chosen)).not.toBe(lastNumber(p.rejected));
      expect(readFileSync(r.report, 'utf8')).toMatch(/DPO: 4 pairs/);
    } finally {
      await peer.close();
    }
  });

  it('ranks the answers by a judge model named in the recipe', async () => {
    const model = await startOpenAIPeer((r) => `So the answer is ${changeAnswer(r.prompt, Number(r.body.seed ?? 0))}.`);
    // The judge knows the arithmetic: 9 for the right change, 2 for a wrong one (seeds 0, 2 right, 1 wrong: mean 20/3).
    const judge = await startOpenAIPeer((r) => {
      const m = /\[Question\]\n([\s\S]*?)\n\n\[Assistant's answer\]\n([\s\S]*)$/.exec(r.prompt); // @puyu/eval's grading prompt
      if (!m) return 'no idea';
      return lastNumber(m[2] as string) === changeAnswer(m[1] as string) ? 'Correct. Score: 9' : 'The change is wrong. Score: 2';
    });
    try {
      const dir = setupRound(
        model.url,
        `{ prompts: 4, samples: 3, ranker: judge, judge: { model: "${judge.url}@judge", max_tokens: 32 } }`,
      );
      const r = await runFlywheel(join(dir, 'round.yaml'), { silent: true });
      expect(r).toMatchObject({ ranker: 'judge', dpo: 4, ties: 0, failedJudgements: 0 });
      for (const p of readJsonl(join(dir, 'round-1', 'dpo.jsonl'))) {
        expect(lastNumber(p.chosen as string)).toBe(changeAnswer(p.prompt as string));
        expect(lastNumber(p.rejected as string)).not.toBe(changeAnswer(p.prompt as string));
      }
      expect(judge.requests.filter((q) => q.route === 'chat')).toHaveLength(12); // 4 prompts × 3 answers
      expect(judge.requests.every((q) => q.body.max_tokens === 32 || q.body.max_completion_tokens === 32)).toBe(true);
      expect(readFileSync(r.report, 'utf8')).toMatch(/ranked by the judge .*@judge: mean score 6\.67, 0 ties skipped/);
      // A recipe that asks for a judge without naming one is refused with a coded error.
      writeFileSync(join(dir, 'bad.yaml'), `model: "${model.url}@m"\npipeline: score.yaml\npairs: { ranker: judge }\n`);
      await expect(runFlywheel(join(dir, 'bad.yaml'), { silent: true })).rejects.toMatchObject({ code: 'DATA_BAD_PIPELINE' });
    } finally {
      await model.close();
      await judge.close();
    }
  });

  it('writes the sampled answers for @puyu/label and ranks by its exported labels once they exist', async () => {
    const model = await startOpenAIPeer((r) => `So the answer is ${changeAnswer(r.prompt, Number(r.body.seed ?? 0))}.`);
    try {
      const dir = setupRound(model.url, '{ prompts: 4, samples: 2, ranker: labels, labels: labels/round-1.audits.jsonl }');
      // Round 1 without labels: the candidates to rank, no pairs yet.
      const first = await runFlywheel(join(dir, 'round.yaml'), { silent: true });
      expect(first).toMatchObject({ ranker: 'labels', dpo: 0 });
      expect(readFileSync(first.report, 'utf8')).toMatch(/no labels yet/);
      const toLabel = readFileSync(join(dir, 'round-1', 'to-label.jsonl'), 'utf8');

      // People rank them in @puyu/label; its own import parser and exporter make the file.
      const { dialogues, skipped } = parseDialogueJsonl(toLabel);
      expect(skipped).toEqual([]);
      expect(dialogues).toHaveLength(4);
      const other = parseDialogueJsonl(JSON.stringify({ messages: [{ role: 'user', content: 'What is 2+2?' }], candidates: ['4', '5'] }));
      const [d0, d1, d2, d3] = dialogues as [Dialogue, Dialogue, Dialogue, Dialogue];
      const records = [
        labelRecord(d0, [{ ranking: ['c2', 'c1'] }, { ranking: ['c2', 'c1'] }]), // both prefer the wrong answer
        labelRecord(d1, [{ ranking: ['c1', 'c2'], review: { verdict: 'rejected' } }]), // sent back: does not count
        labelRecord(d2, [{ ranking: ['c1', 'c2'], review: { verdict: 'approved', ranking: ['c2', 'c1'] } }]), // the reviewer's correction wins
        labelRecord(d3, [{ ranking: ['c1', 'c2'], rewrite: 'Worked out in full: the change is 7.' }]),
        labelRecord(other.dialogues[0] as Dialogue, [{ ranking: ['c1', 'c2'] }]), // a prompt this round did not sample
      ];
      mkdirSync(join(dir, 'labels'));
      writeFileSync(
        join(dir, 'labels', 'round-1.audits.jsonl'),
        `${records.map((rec) => recordLine(rec, 'audits')).join('\n')}\nnot json\n`,
      );

      const second = await runFlywheel(join(dir, 'round.yaml'), { silent: true });
      expect(second.dpo).toBe(3);
      const c = (d: Dialogue, id: string) => d.data.candidates.find((x) => x.id === id)?.content;
      const prompt = (d: Dialogue) => d.data.messages.at(-1)?.content;
      expect(readJsonl(join(dir, 'round-1', 'dpo.jsonl'))).toEqual([
        { prompt: prompt(d0), chosen: c(d0, 'c2'), rejected: c(d0, 'c1') },
        { prompt: prompt(d2), chosen: c(d2, 'c2'), rejected: c(d2, 'c1') },
        { prompt: prompt(d3), chosen: 'Worked out in full: the change is 7.', rejected: c(d3, 'c2') },
      ]);
      expect(readFileSync(second.report, 'utf8')).toMatch(
        /3 of 4 prompts labelled, 1 lines for other prompts, 1 without an accepted ranking, 0 ties, 1 malformed lines/,
      );
    } finally {
      await model.close();
    }
  });
});
