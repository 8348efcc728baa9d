import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alwaysAReply, type OpenAIPeer, oracleReply, sharedDataPath, startOpenAIPeer } from '@puyu/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { getDataset } from '../datasets/registry.js';
import { runConfigSchema } from '../runner/RunConfig.js';
import { runEval } from '../runner/runEval.js';
import { bootstrapMeanCI } from './bootstrap.js';
import { collectRuns } from './collectRuns.js';
import { leaderboardHtml, rankModels } from './leaderboardPage.js';

const dataRoot = sharedDataPath();
const hasData = existsSync(dataRoot);
if (!hasData) console.warn(`skipping leaderboard-from-runs tests: ${dataRoot} not found (needs ../shared/datasets)`);

describe('bootstrap confidence intervals', () => {
  it('match the normal approximation for a 50% score on 400 samples and are reproducible', () => {
    const xs = Array.from({ length: 400 }, (_, i) => i % 2);
    const ci = bootstrapMeanCI([xs], { resamples: 2000, seed: 1 });
    expect(ci.mean).toBe(0.5);
    // ±1.96·sqrt(.25/400) = ±0.049
    expect(ci.low).toBeGreaterThan(0.44);
    expect(ci.low).toBeLessThan(0.46);
    expect(ci.high).toBeGreaterThan(0.54);
    expect(ci.high).toBeLessThan(0.56);
    expect(bootstrapMeanCI([xs], { resamples: 2000, seed: 1 })).toEqual(ci);
    expect(bootstrapMeanCI([[1, 1, 1]])).toEqual({ mean: 1, low: 1, high: 1 });
    // Stratified: the average of two datasets weights them equally, whatever their sizes.
    expect(bootstrapMeanCI([[1], Array(99).fill(0)]).mean).toBe(0.5);
  });
});

describe.skipIf(!hasData)('leaderboard from run folders', () => {
  const peers: OpenAIPeer[] = [];
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.close()));
  });

  it('ranks models across datasets with intervals, later runs replacing earlier ones', async () => {
    const known = [
      ...(await getDataset('arc-challenge').load({ root: dataRoot, limit: 30 })),
      ...(await getDataset('mmlu').load({ root: dataRoot, limit: 30 })),
    ];
    const pool = await getDataset('mmlu').loadFewShotPool!({ root: dataRoot });
    const oracle = await startOpenAIPeer(oracleReply([...known, ...pool]));
    const alwaysA = await startOpenAIPeer(alwaysAReply());
    peers.push(oracle, alwaysA);
    const base = mkdtempSync(join(tmpdir(), 'puyu-board-'));
    const cfg = (dir: string) =>
      runConfigSchema.parse({
        models: [`${oracle.url}@oracle`, `${alwaysA.url}@always-a`],
        datasets: [
          { name: 'arc-challenge', limit: 30 },
          { name: 'mmlu', limit: 30 },
        ],
        dataRoot,
        outDir: join(base, dir),
        concurrency: 8,
      });
    await runEval(cfg('r1'), { progress: { silent: true } });
    // An older, worse run of "oracle" on arc, given first: the later folder must win.
    const stale = join(base, 'stale');
    mkdirSync(join(stale, 'results', 'oracle'), { recursive: true });
    writeFileSync(join(stale, 'results', 'oracle', 'arc-challenge.jsonl'), `${JSON.stringify({ id: 'x', score: 0 })}\n`);
    writeFileSync(
      join(stale, 'run.json'),
      JSON.stringify({
        status: 'done',
        results: [
          { model: 'oracle', dataset: 'arc-challenge', metric: 'accuracy', score: 0, scoredFile: 'results/oracle/arc-challenge.jsonl' },
        ],
      }),
    );
    const entries = collectRuns([stale, join(base, 'r1')]);
    const { datasets, models } = rankModels(entries);
    expect(datasets).toEqual(['arc-challenge', 'mmlu']);
    expect(models.map((m) => [m.rank, m.model])).toEqual([
      [1, 'oracle'],
      [2, 'always-a'],
    ]);
    expect(models[0].average).toEqual({ mean: 100, low: 100, high: 100 });
    const a = models[1];
    expect(a.average.low).toBeLessThan(a.average.mean);
    expect(a.average.high).toBeGreaterThan(a.average.mean);
    for (const c of Object.values(a.cells)) {
      expect(c.low).toBeLessThanOrEqual(c.score);
      expect(c.high).toBeGreaterThanOrEqual(c.score);
    }
    const html = leaderboardHtml(entries, { title: 'Test board' });
    expect(html).toContain('<h1>Test board</h1>');
    expect(html).toContain('[100.0, 100.0]');
    expect(html.match(/<line /g)?.length).toBeGreaterThan(10);
    expect(() => collectRuns([base])).toThrow(/run.json/);
  });
});
