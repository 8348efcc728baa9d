import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alwaysAReply, type OpenAIPeer, oracleReply, sharedDataPath, startOpenAIPeer } from '@puyu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { getDataset } from '../datasets/registry.js';
import { fixtureRoot } from '../datasets/test-fixtures/fixtureRoot.js';
import { selectShots } from '../prompts/retrievers.js';
import type { EvalSample } from '../types.js';
import { type RunConfigInput, runConfigJsonSchema, runConfigSchema } from './RunConfig.js';
import { fixedShotsOnce, runEval } from './runEval.js';

const dataRoot = sharedDataPath();
const hasData = existsSync(dataRoot);
if (!hasData)
  console.warn(`skipping runEval tests on real benchmarks (ceval fixture still runs): ${dataRoot} not found (needs ../shared/datasets)`);
const cevalRoot = fixtureRoot('ceval');
const silent = { progress: { silent: true } };

const peers: OpenAIPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function samplesOf(name: string, root: string, limit: number, subsets?: string[]): Promise<EvalSample[]> {
  const def = getDataset(name);
  const main = await def.load({ root, limit, subsets });
  const pool = def.loadFewShotPool ? await def.loadFewShotPool({ root, subsets }) : [];
  return [...main, ...pool];
}

const config = (c: RunConfigInput) => runConfigSchema.parse(c);

/** Waits until the peer has seen no new request for 150 ms. */
async function settled(peer: OpenAIPeer): Promise<void> {
  for (let n = -1; n !== peer.requests.length; ) {
    n = peer.requests.length;
    await new Promise((ok) => setTimeout(ok, 150));
  }
}
const tmp = () => mkdtempSync(join(tmpdir(), 'puyu-eval-run-'));

const SETS: { name: string; root: string; limit: number; subsets?: string[] }[] = [
  { name: 'gsm8k', root: dataRoot, limit: 12 },
  { name: 'math', root: dataRoot, limit: 12 },
  { name: 'math500', root: dataRoot, limit: 12 },
  { name: 'bbh', root: dataRoot, limit: 4, subsets: ['date_understanding', 'dyck_languages', 'multistep_arithmetic_two', 'web_of_lies'] },
  { name: 'humaneval', root: dataRoot, limit: 3 },
  { name: 'mmlu', root: dataRoot, limit: 12 },
  { name: 'cmmlu', root: dataRoot, limit: 12 },
  { name: 'arc-challenge', root: dataRoot, limit: 12 },
  { name: 'ceval', root: cevalRoot, limit: 12 },
];

describe('run config', () => {
  it('fills defaults, rejects bad fields all at once, and exports a JSON Schema', () => {
    expect(config({ models: ['http://h:1@m'], datasets: ['gsm8k'] })).toMatchObject({ concurrency: 8, shardSize: 200, dataRoot: 'data' });
    const r = runConfigSchema.safeParse({ models: [], datasets: [{ name: 'x', inferencer: 'beam' }], concurrency: 0 });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['concurrency', 'datasets.0', 'models']);
    const schema = runConfigJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['models', 'datasets', 'concurrency', 'cache']));
    expect(schema.required).toEqual(['models', 'datasets']);
  });
});

describe.skipIf(!hasData)('fixed few-shot retrieval, computed once', () => {
  it('returns what the retriever returns for every sample, including samples that are in the pool', async () => {
    const select = fixedShotsOnce();
    for (const name of ['gsm8k', 'mmlu']) {
      const def = getDataset(name);
      const pool = await def.loadFewShotPool!({ root: dataRoot });
      const samples = [...(await def.load({ root: dataRoot, limit: 30 })), ...pool.slice(0, 8), pool.at(-1)!];
      for (const fewShot of [def.fewShot, { retriever: 'fixed' as const, k: 2 }, { retriever: 'random' as const, k: 3, seed: 1 }]) {
        for (const sample of samples) {
          const got = select({ def, pool, sample, fewShot }).map((s) => s.id);
          expect(got).toEqual(selectShots(sample, pool, fewShot).map((s) => s.id));
          expect(got).not.toContain(sample.id);
        }
      }
    }
  });
});

describe('runEval against loopback OpenAI peers', () => {
  for (const set of SETS) {
    it.skipIf(set.root === dataRoot && !hasData)(
      `an oracle answering with gold in natural phrasings scores 100% on ${set.name} (chat and base prompts)`,
      async () => {
        const known = await samplesOf(set.name, set.root, set.limit, set.subsets);
        const peer = await startOpenAIPeer(oracleReply(known));
        peers.push(peer);
        const dataset = set.subsets ? { name: set.name, subsets: set.subsets, limit: set.limit } : { name: set.name, limit: set.limit };
        const r = await runEval(
          config({
            models: [`${peer.url}@oracle-chat`, { spec: `completions+${peer.url}@oracle-base`, name: 'oracle-base' }],
            datasets: [dataset],
            dataRoot: set.root,
            outDir: tmp(),
            concurrency: 6,
          }),
          silent,
        );
        for (const u of r.results)
          expect({ model: u.model, score: u.score, errors: u.errors }).toEqual({ model: u.model, score: 100, errors: 0 });
      },
    );
  }

  it('"always A" scores exactly the A-rate of each multiple-choice dataset', async () => {
    const peer = await startOpenAIPeer(alwaysAReply());
    peers.push(peer);
    // Without ../shared/datasets only the committed ceval fixture is there.
    const available = SETS.filter((s) => s.root !== dataRoot || hasData);
    for (const set of available.filter((s) => ['mmlu', 'cmmlu', 'arc-challenge', 'ceval'].includes(s.name))) {
      const loaded = await getDataset(set.name).load({ root: set.root, limit: 40 });
      const gold = loaded.map((s) => s.gold);
      const r = await runEval(
        config({
          models: [`${peer.url}@always-a`],
          datasets: [{ name: set.name, limit: 40 }],
          dataRoot: set.root,
          outDir: tmp(),
          concurrency: 8,
        }),
        silent,
      );
      const aRate = (100 * gold.filter((g) => g === 'A').length) / gold.length;
      expect(aRate).toBeGreaterThan(0);
      expect(aRate).toBeLessThan(100);
      expect(r.results[0].metrics.accuracy).toBeCloseTo(aRate, 10);
      // MMLU, CMMLU and C-Eval headline the unweighted mean of the subjects' A-rates (OpenCompass's naive_average).
      const subjects = [...new Set(loaded.map((s) => s.subset))];
      const rate = (g: string[]) => (100 * g.filter((x) => x === 'A').length) / g.length;
      const naive = subjects.reduce((a, sub) => a + rate(loaded.filter((s) => s.subset === sub).map((s) => s.gold)), 0) / subjects.length;
      expect(r.results[0].score).toBeCloseTo(set.name === 'arc-challenge' ? aRate : naive, 10);
      expect(r.results[0].metric).toBe(set.name === 'arc-challenge' ? 'accuracy' : 'naive_average');
    }
  });

  it.skipIf(!hasData)('ppl inference picks the most likely option through echo logprobs; self-consistency votes', async () => {
    const known = [...(await samplesOf('mmlu', dataRoot, 8)), ...(await samplesOf('gsm8k', dataRoot, 6))];
    const peer = await startOpenAIPeer(oracleReply(known));
    peers.push(peer);
    const r = await runEval(
      config({
        models: [`completions+${peer.url}@oracle`],
        datasets: [
          { name: 'mmlu', limit: 8, inferencer: 'ppl' },
          { name: 'gsm8k', limit: 6, inferencer: 'sc', n: 3 },
        ],
        dataRoot,
        outDir: tmp(),
      }),
      silent,
    );
    expect(r.results.map((u) => [u.dataset, u.inferencer, u.score])).toEqual([
      ['mmlu:ppl', 'ppl', 100],
      ['gsm8k:sc', 'sc', 100],
    ]);
    const echo = peer.requests.filter((q) => q.body.echo);
    expect(echo.length).toBe(8 * 4);
    expect(echo[0].body).toMatchObject({ logprobs: 1, max_tokens: 0 });
    expect(new Set(peer.requests.filter((q) => !q.body.echo).map((q) => q.body.seed))).toEqual(new Set([0, 1, 2]));
  });

  it.skipIf(!hasData)('records provider errors as data, spreads load over replicas and writes the summary and report', async () => {
    const known = await samplesOf('arc-challenge', dataRoot, 10);
    const target = known[3];
    const reply = oracleReply(known);
    const flaky = (r: Parameters<typeof reply>[0]) =>
      r.prompt.includes(target.question) ? { status: 400, body: { error: { message: 'content filter' } } } : reply(r);
    const a = await startOpenAIPeer(flaky);
    const b = await startOpenAIPeer(flaky);
    peers.push(a, b);
    const outDir = tmp();
    const r = await runEval(
      config({
        models: [{ endpoints: [a.url, b.url], model: 'replicated', name: 'two replicas' }],
        datasets: [{ name: 'arc-challenge', limit: 10 }],
        dataRoot,
        outDir,
        concurrency: 4,
        shardSize: 4,
      }),
      silent,
    );
    expect(r.results[0]).toMatchObject({ score: 90, errors: 1, samples: 10 });
    expect(r.tasks.map((t) => t.id)).toEqual([
      'two replicas/arc-challenge/0',
      'two replicas/arc-challenge/1',
      'two replicas/arc-challenge/2',
    ]);
    expect(a.requests.length).toBeGreaterThan(0);
    expect(b.requests.length).toBeGreaterThan(0);
    const preds = readFileSync(join(outDir, r.results[0].predictionsFile), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(preds.find((p) => p.id === target.id).error).toEqual({ code: 'PROVIDER_HTTP_400', message: 'HTTP 400: content filter' });
    expect(readFileSync(join(outDir, 'summary.md'), 'utf8')).toContain('| arc-challenge | accuracy | gen | 10 | 90.00 |');
    expect(readFileSync(join(outDir, 'summary.csv'), 'utf8')).toBe(
      'dataset,metric,mode,n,two replicas\narc-challenge,accuracy,gen,10,90.00\n',
    );
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('1 provider errors');
  });

  it.skipIf(!hasData)('applies per-endpoint concurrency, request rate and the API key from the environment', async () => {
    const known = await samplesOf('arc-challenge', dataRoot, 6);
    const reply = oracleReply(known);
    let active = 0;
    let peak = 0;
    const arrivals: number[] = [];
    const peer = await startOpenAIPeer(async (r) => {
      arrivals.push(performance.now());
      peak = Math.max(peak, ++active);
      await new Promise((ok) => setTimeout(ok, 60));
      active--;
      return reply(r);
    });
    peers.push(peer);
    process.env.PUYU_TEST_EVAL_KEY = 'sk-from-env';
    const base = { models: [`${peer.url}@m`], datasets: [{ name: 'arc-challenge', limit: 6 }], dataRoot, concurrency: 6 };
    const capped = await runEval(config({ ...base, outDir: tmp(), endpointConcurrency: 2, apiKeyEnv: 'PUYU_TEST_EVAL_KEY' }), silent);
    delete process.env.PUYU_TEST_EVAL_KEY;
    expect(capped.results[0].score).toBe(100);
    expect(peak).toBe(2);
    expect(new Set(peer.requests.map((q) => q.headers.authorization))).toEqual(new Set(['Bearer sk-from-env']));
    arrivals.length = 0;
    await runEval(config({ ...base, outDir: tmp(), requestsPerSecond: 20 }), silent);
    // 6 starts at 20/s are 250 ms apart first to last; unpaced they would arrive within a few ms.
    // (Arrival jitter on a loaded machine can only shorten the span a little.)
    expect(arrivals.at(-1)! - arrivals[0]).toBeGreaterThanOrEqual(200);
    await expect(
      runEval(
        config({ models: [`${peer.url}@m`], datasets: ['arc-challenge'], dataRoot, outDir: tmp(), apiKeyEnv: 'PUYU_NO_SUCH_VAR' }),
        silent,
      ),
    ).rejects.toThrow(/PUYU_NO_SUCH_VAR/);
  });

  it.skipIf(!hasData)('resumes an aborted run: no finished sample is requested again and scores match an uninterrupted run', async () => {
    const known = await samplesOf('gsm8k', dataRoot, 30);
    const reply = oracleReply(known);
    const ac = new AbortController();
    const peer = await startOpenAIPeer(async (r) => {
      if (peer.requests.length === 12) ac.abort();
      await new Promise((ok) => setTimeout(ok, 5));
      return reply(r);
    });
    peers.push(peer);
    const outDir = tmp();
    const cfg = config({
      models: [`${peer.url}@m`],
      datasets: [{ name: 'gsm8k', limit: 30 }],
      dataRoot,
      outDir,
      concurrency: 4,
      shardSize: 10,
    });
    const first = await runEval(cfg, { ...silent, signal: ac.signal });
    expect(first.status).toBe('aborted');
    const cachedAfterFirst = readFileSync(join(outDir, 'cache.jsonl'), 'utf8').trim().split('\n').length;
    expect(cachedAfterFirst).toBeGreaterThan(0);
    expect(cachedAfterFirst).toBeLessThan(30);
    // Requests the client sent just before the abort may still be reaching the server: let it settle.
    await settled(peer);
    const firstCount = peer.requests.length;

    const second = await runEval(cfg, silent);
    const secondReqs = peer.requests.slice(firstCount);
    expect(second.status).toBe('done');
    expect(second.requests).toEqual({ sent: 30 - cachedAfterFirst, cached: cachedAfterFirst });
    expect(secondReqs.length).toBe(30 - cachedAfterFirst);
    // Every prompt is asked exactly once across both runs, except those cut off by the abort.
    const prompts = peer.requests.map((q) => q.prompt);
    const cutOff = firstCount - cachedAfterFirst;
    expect(prompts.length - new Set(prompts).size).toBeLessThanOrEqual(cutOff);
    expect(new Set(prompts).size).toBe(30);

    const fresh = await runEval({ ...cfg, outDir: tmp() }, silent);
    expect(second.results.map((u) => u.metrics)).toEqual(fresh.results.map((u) => u.metrics));
    const again = await runEval(cfg, silent);
    expect(again.requests).toEqual({ sent: 0, cached: 30 });
  });
});
