import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenAIPeer, wordTokens } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { writeTestCorpus } from '../pipeline/testCorpus.js';
import { runFlywheel } from './flywheel.js';
import { lastNumber } from './mathProblems.js';

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
});
