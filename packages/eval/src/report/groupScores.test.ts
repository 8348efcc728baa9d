import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenAIPeer, startOpenAIPeer } from '@puyu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { CMMLU_GROUPS, MMLU_GROUPS } from '../datasets/summaryGroups.js';
import { runConfigSchema } from '../runner/RunConfig.js';
import { runEval } from '../runner/runEval.js';
import { groupScores } from './groupScores.js';

const peers: OpenAIPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

/**
 * A hand-made MMLU: four subjects, ten questions. Each question says which letter the fake model
 * answers (`say=X`); the gold is the CSV's last column. Right answers per subject, by hand:
 *   anatomy    (STEM, weight 135)       2 of 4 → 50
 *   astronomy  (STEM, weight 152)       1 of 1 → 100
 *   philosophy (humanities, weight 311) 1 of 3 → 33.333…
 *   virology   (other, weight 166)      0 of 2 → 0
 */
const FIXTURE: Record<string, string[]> = {
  anatomy: ['a1 say=A,w,x,y,z,A', 'a2 say=B,w,x,y,z,B', 'a3 say=C,w,x,y,z,D', 'a4 say=A,w,x,y,z,B'],
  astronomy: ['s1 say=D,w,x,y,z,D'],
  philosophy: ['p1 say=A,w,x,y,z,A', 'p2 say=A,w,x,y,z,C', 'p3 say=B,w,x,y,z,C'],
  virology: ['v1 say=A,w,x,y,z,B', 'v2 say=C,w,x,y,z,D'],
};

/** By hand: the unweighted mean over the four subjects, the categories, the weighted mean, and plain accuracy. */
const HAND = {
  mmlu: (50 + 100 + 100 / 3 + 0) / 4, // 45.8333…
  stem: (50 + 100) / 2, // 75
  humanities: 100 / 3, // 33.333…
  other: 0,
  weighted: (50 * 135 + 100 * 152 + (100 / 3) * 311 + 0 * 166) / (135 + 152 + 311 + 166), // 42.2993…
  accuracy: (100 * (2 + 1 + 1 + 0)) / 10, // 40
};

function writeFixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'puyu-mmlu-hand-'));
  mkdirSync(join(root, 'mmlu', 'test'), { recursive: true });
  for (const [subject, rows] of Object.entries(FIXTURE))
    writeFileSync(join(root, 'mmlu', 'test', `${subject}_test.csv`), `${rows.join('\n')}\n`);
  return root;
}

describe('OpenCompass summary groups', () => {
  it('per-subject, group and headline scores of a run equal the hand computation, in summary.md, summary.csv and report.html', async () => {
    // Answers the letter the last question in the prompt asks for.
    const peer = await startOpenAIPeer((r) => `The answer is ${[...r.prompt.matchAll(/say=([A-D])/g)].at(-1)?.[1]}.`);
    peers.push(peer);
    const root = writeFixture();
    const outDir = join(root, 'run');
    const s = await runEval(
      runConfigSchema.parse({
        models: [`${peer.url}@hand`],
        datasets: [{ name: 'mmlu', fewShot: { retriever: 'zero', k: 0 } }],
        dataRoot: root,
        outDir,
      }),
      { progress: { silent: true } },
    );
    const u = s.results[0];
    expect(u.metric).toBe('naive_average');
    expect(u.headline).toBe('mmlu');
    expect(u.score).toBeCloseTo(HAND.mmlu, 10);
    expect(u.metrics.accuracy).toBeCloseTo(HAND.accuracy, 10);
    expect(u.subsets?.map((x) => [x.name, x.samples, Number(x.score.toFixed(4))])).toEqual([
      ['lukaemon_mmlu_anatomy', 4, 50],
      ['lukaemon_mmlu_astronomy', 1, 100],
      ['lukaemon_mmlu_philosophy', 3, 33.3333],
      ['lukaemon_mmlu_virology', 2, 0],
    ]);
    const g = Object.fromEntries((u.groups ?? []).map((x) => [x.name, x]));
    expect(Object.keys(g)).toEqual(['mmlu', 'mmlu-humanities', 'mmlu-stem', 'mmlu-other', 'mmlu-weighted']); // no social-science subject ran
    expect(g.mmlu).toMatchObject({ metric: 'naive_average', subsets: 4, of: 57, samples: 10 });
    expect(g['mmlu-stem'].score).toBeCloseTo(HAND.stem, 10);
    expect(g['mmlu-humanities'].score).toBeCloseTo(HAND.humanities, 10);
    expect(g['mmlu-other'].score).toBe(HAND.other);
    expect(g['mmlu-weighted']).toMatchObject({ metric: 'weighted_average', subsets: 4, of: 57 });
    expect(g['mmlu-weighted'].score).toBeCloseTo(HAND.weighted, 10);

    const md = readFileSync(join(outDir, 'summary.md'), 'utf8');
    expect(md).toContain('| mmlu | naive_average | gen | 10 | 45.83* |');
    expect(md).toContain('| mmlu-stem | naive_average | gen | 5 | 75.00* |');
    expect(md).toContain('| mmlu-weighted | weighted_average | gen | 10 | 42.30* |');
    expect(md).toContain('| lukaemon_mmlu_philosophy | accuracy | gen | 3 | 33.33 |');
    expect(md).toContain('averages only the subjects that ran');
    const csv = readFileSync(join(outDir, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv).toEqual([
      'dataset,metric,mode,n,hand',
      'mmlu,naive_average,gen,10,45.83',
      'mmlu-humanities,naive_average,gen,3,33.33',
      'mmlu-stem,naive_average,gen,5,75.00',
      'mmlu-other,naive_average,gen,2,0.00',
      'mmlu-weighted,weighted_average,gen,10,42.30',
      'lukaemon_mmlu_anatomy,accuracy,gen,4,50.00',
      'lukaemon_mmlu_astronomy,accuracy,gen,1,100.00',
      'lukaemon_mmlu_philosophy,accuracy,gen,3,33.33',
      'lukaemon_mmlu_virology,accuracy,gen,2,0.00',
    ]);
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    expect(html).toContain('<td>mmlu</td><td>naive_average</td><td>gen</td><td class="num">10</td><td class="num">45.83*</td>');
    expect(html).toContain('<h3>Groups and subjects</h3>');
    expect(html).toContain('<td>lukaemon_mmlu_anatomy</td><td>accuracy</td><td>gen</td><td class="num">4</td><td class="num">50.00</td>');
  });

  it('a group with every subject is not partial; the weighted mean uses OpenCompass weights; empty groups are dropped', () => {
    const all = MMLU_GROUPS[0].subsets.map((name, i) => ({ name, samples: 1, score: i % 2 ? 100 : 0 }));
    const groups = groupScores(all, { abbr: () => '', groups: MMLU_GROUPS });
    expect(groups.map((g) => [g.name, g.subsets, g.of])).toEqual([
      ['mmlu', 57, 57],
      ['mmlu-humanities', 13, 13],
      ['mmlu-stem', 19, 19],
      ['mmlu-social-science', 12, 12],
      ['mmlu-other', 13, 13],
      ['mmlu-weighted', 57, 57],
    ]);
    expect(groups[0].score).toBeCloseTo((100 * 28) / 57, 10);
    // Two subjects by hand: (100·135 + 0·100) / (135 + 100).
    const two = groupScores(
      [
        { name: 'lukaemon_mmlu_anatomy', samples: 1, score: 100 },
        { name: 'lukaemon_mmlu_abstract_algebra', samples: 1, score: 0 },
      ],
      { abbr: () => '', groups: MMLU_GROUPS },
    );
    expect(two.find((g) => g.name === 'mmlu-weighted')?.score).toBeCloseTo((100 * 135) / 235, 10);
    expect(two.map((g) => g.name)).toEqual(['mmlu', 'mmlu-stem', 'mmlu-weighted']);
  });

  it("CMMLU's categories follow OpenCompass's subcategory mapping (a subject can sit in two)", () => {
    const sizes = Object.fromEntries(CMMLU_GROUPS.map((g) => [g.name, g.subsets.length]));
    expect(sizes).toEqual({
      cmmlu: 67,
      'cmmlu-humanities': 13,
      'cmmlu-stem': 17,
      'cmmlu-social-science': 22,
      'cmmlu-other': 15,
      'cmmlu-china-specific': 15,
    });
    const inGroup = (g: string) => CMMLU_GROUPS.find((x) => x.name === g)!.subsets;
    expect(inGroup('cmmlu-social-science')).toContain('cmmlu-ancient_chinese');
    expect(inGroup('cmmlu-china-specific')).toContain('cmmlu-ancient_chinese');
  });
});
