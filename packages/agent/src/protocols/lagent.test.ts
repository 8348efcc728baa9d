import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithLagent, LAGENT_DEVIATIONS, type LagentGolden } from './lagentDiff.js';

// Differential test against Lagent's own InternLM2 protocol parser (lagent 0.2.4), through its
// outputs on our transcripts, committed as fixtures/lagent-goldens.json by
// fixtures/gen_lagent_goldens.py (lagent.slow.test.ts reruns it live).
const goldens = JSON.parse(readFileSync(join(__dirname, 'fixtures/lagent-goldens.json'), 'utf8')) as { results: LagentGolden[] };
const transcripts = JSON.parse(readFileSync(join(__dirname, 'fixtures/transcripts.json'), 'utf8')) as { internlm2: { name: string }[] };

describe('InternLM2 protocol vs Lagent', () => {
  it('covers every InternLM2 transcript', () => {
    expect(goldens.results.map((g) => g.name)).toEqual(transcripts.internlm2.map((t) => t.name));
  });
  for (const g of goldens.results) {
    const deviation = LAGENT_DEVIATIONS[g.name];
    it(`${g.name}${deviation ? ' (known deviation)' : ''}`, async () => {
      const c = await compareWithLagent(g);
      if (deviation) expect(c.agree, `listed as a deviation but agrees now: drop it from LAGENT_DEVIATIONS`).toBe(false);
      else expect(c.ours).toEqual(c.lagent);
    });
  }
  it('agrees on most transcripts', async () => {
    const all = await Promise.all(goldens.results.map(compareWithLagent));
    expect(all.filter((c) => c.agree).length).toBeGreaterThanOrEqual(10);
  });
});
