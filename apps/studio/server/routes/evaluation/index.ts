import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { StageRoutes } from '../../context.js';
import { StudioError } from '../../errors.js';
import { jsonBody } from '../../http.js';
import { isInside, runDir, scanRuns } from '../../runs.js';
import { parseCsv } from './csv.js';
import { type EvalJobRequest, EvalJobs } from './jobs.js';

interface Unit {
  model: string;
  dataset: string;
  scoredFile: string;
  subsets?: { name: string }[];
}

async function readRunJson(dir: string): Promise<{ status?: string; results?: Unit[] } & Record<string, unknown>> {
  const path = join(dir, 'run.json');
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new StudioError('STUDIO_FILE_UNREADABLE', `${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * A sample id names its subject as its second part (`mmlu/anatomy/test/12`, `bbh/navigate/3`);
 * an OpenCompass subset abbr ends with it (`lukaemon_mmlu_anatomy`, `bbh-navigate`).
 */
export function sampleInSubset(id: string, subset: string): boolean {
  const subject = id.split('/')[1];
  return subject !== undefined && (subset === subject || subset.endsWith(`_${subject}`) || subset.endsWith(`-${subject}`));
}

/** Evaluation runs (`puyu eval run` folders): run.json, summary.csv, scored samples, and the leaderboard over all finished runs. */
export const evaluationRoutes: StageRoutes = {
  id: 'evaluation',
  routes: (ctx) => {
    const jobs = new EvalJobs(ctx);
    return new Hono()
      .post('/start', async (c) => c.json(await jobs.start(await jsonBody<EvalJobRequest>(c))))
      .get('/jobs', (c) => c.json({ jobs: jobs.list(), dataRoot: ctx.dataRoot ?? 'data' }))
      .get('/runs', async (c) => c.json({ runs: (await scanRuns(ctx.runsDir)).filter((r) => r.stage === 'eval') }))
      .get('/run', async (c) => {
        const dir = runDir(ctx.runsDir, c.req.query('run'));
        const run = await readRunJson(dir);
        const csvPath = join(dir, 'summary.csv');
        const summary = existsSync(csvPath) ? parseCsv(await readFile(csvPath, 'utf8')) : null;
        return c.json({ id: c.req.query('run'), run, summary });
      })
      .get('/samples', async (c) => {
        const dir = runDir(ctx.runsDir, c.req.query('run'));
        const unit = Number(c.req.query('unit') ?? '0');
        const offset = Math.max(0, Number(c.req.query('offset') ?? '0') || 0);
        const limit = Math.min(200, Math.max(1, Number(c.req.query('limit') ?? '50') || 50));
        const subset = c.req.query('subset');
        const filter = c.req.query('filter'); // 'correct' | 'wrong' | undefined
        const run = await readRunJson(dir);
        const u = run.results?.[unit];
        if (!u) throw new StudioError('STUDIO_BAD_REQUEST', `run has no result #${unit}; it has ${run.results?.length ?? 0}.`);
        const path = join(dir, u.scoredFile);
        if (!isInside(dir, path)) throw new StudioError('STUDIO_PATH_OUTSIDE_RUNS', `${u.scoredFile} points outside the run.`);
        // Predictions hold the prompt; scored samples hold output, extracted and gold — joined by id.
        const prompts = new Map<string, unknown>();
        const predPath = join(dir, (u as { predictionsFile?: string }).predictionsFile ?? '');
        if (existsSync(predPath) && isInside(dir, predPath) && predPath !== dir) {
          for (const line of (await readFile(predPath, 'utf8')).split('\n')) {
            if (!line) continue;
            try {
              const p = JSON.parse(line) as { id: string; prompt?: unknown; messages?: unknown };
              prompts.set(p.id, p.prompt ?? p.messages);
            } catch {}
          }
        }
        const all: Record<string, unknown>[] = [];
        if (existsSync(path)) {
          for (const line of (await readFile(path, 'utf8')).split('\n')) {
            if (!line) continue;
            try {
              all.push(JSON.parse(line) as Record<string, unknown>);
            } catch {}
          }
        }
        const kept = all.filter(
          (s) =>
            (!subset || sampleInSubset(String(s.id), subset)) &&
            (filter === 'correct' ? s.correct === true : filter === 'wrong' ? s.correct !== true : true),
        );
        const samples = kept.slice(offset, offset + limit).map((s) => ({ ...s, prompt: prompts.get(String(s.id)) ?? null }));
        return c.json({ unit: u, total: kept.length, offset, samples });
      })
      .get('/needle', async (c) => {
        // NeedleBench: one depth × length grid of mean scores per kind × language, as the report's heatmaps
        const dir = runDir(ctx.runsDir, c.req.query('run'));
        const run = await readRunJson(dir);
        const { needleGrids } = await import('@puyu/eval');
        const grids = [];
        for (const u of run.results ?? []) {
          if (!u.dataset.startsWith('needlebench')) continue;
          const path = join(dir, u.scoredFile);
          if (!isInside(dir, path) || !existsSync(path)) continue;
          const scored = (await readFile(path, 'utf8'))
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l));
          grids.push(...needleGrids(scored, u.model));
        }
        return c.json({ grids });
      })
      .get('/leaderboard', async (c) => {
        const { collectRuns, rankModels } = await import('@puyu/eval');
        const dirs = (await scanRuns(ctx.runsDir)).filter((r) => r.stage === 'eval' && r.status === 'done').map((r) => r.dir);
        if (!dirs.length) return c.json({ runs: [], datasets: [], models: [] });
        const board = rankModels(collectRuns(dirs), { seed: 0 });
        return c.json({ runs: dirs.length, ...board });
      });
  },
};
