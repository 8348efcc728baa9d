import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { StudioContext } from '../../context.js';
import { StudioError } from '../../errors.js';
import { filePath, isInside } from '../../runs.js';

export interface EvalJobRequest {
  /** A .gguf under the runs folder (served in-process, as `local:`), or an `URL@model` spec. */
  model?: unknown;
  datasets?: unknown;
  limit?: unknown;
  maxTokens?: unknown;
  /** Run folder name under the runs folder. */
  name?: unknown;
}

export interface EvalJob {
  id: string;
  run: string;
  status: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  /** The runner's last progress line (requests, rate, ETA). */
  line: string;
  error?: { code: string; message: string };
  startedAt: number;
}

const NAME = /^[\w.-]{1,80}$/;

/**
 * Evaluation runs started from the page: `runEval` of @puyu/eval in this process (local GGUFs
 * served by @puyu/serve through @puyu/client's `local:` starter), writing the same run folder
 * `puyu eval run` would. Progress is read off the runner's own progress lines.
 */
export class EvalJobs {
  private readonly jobs = new Map<string, EvalJob>();

  constructor(private readonly ctx: StudioContext) {}

  list(): EvalJob[] {
    return [...this.jobs.values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  async start(req: EvalJobRequest): Promise<EvalJob> {
    const bad = (m: string) => new StudioError('STUDIO_BAD_REQUEST', m);
    if (typeof req.model !== 'string' || !req.model) throw bad('name the model: a .gguf under the runs folder, or URL@model.');
    const datasets = Array.isArray(req.datasets) ? req.datasets.filter((d): d is string => typeof d === 'string' && !!d.trim()) : [];
    if (!datasets.length) throw bad('name at least one dataset (gsm8k, mmlu, …).');
    const limit = Number(req.limit ?? 20);
    const maxTokens = Number(req.maxTokens ?? 256);
    if (!Number.isInteger(limit) || limit < 1) throw bad('limit must be an integer ≥ 1.');
    if (!Number.isInteger(maxTokens) || maxTokens < 1) throw bad('maxTokens must be an integer ≥ 1.');
    const name = typeof req.name === 'string' && req.name ? req.name : `eval-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    if (!NAME.test(name)) throw bad('the run name may hold letters, digits, ".", "_" and "-" only.');
    const outDir = join(this.ctx.runsDir, name);
    if (!isInside(this.ctx.runsDir, outDir)) throw bad('the run name must stay inside the runs folder.');
    if ([...this.jobs.values()].some((j) => j.run === name && j.status === 'running')) throw bad(`run ${name} is already running.`);
    const spec = /^https?:\/\//.test(req.model) ? req.model : `local:${filePath(this.ctx.runsDir, req.model)}`;
    const dataRoot = resolve(this.ctx.dataRoot ?? 'data');
    if (!existsSync(dataRoot))
      throw bad(`no benchmark files at ${dataRoot}: start puyu studio with --data-root DIR (the folder puyu eval run --data-root reads).`);

    const { runConfigSchema, runEval } = await import('@puyu/eval');
    const { localModelStarter } = await import('@puyu/client');
    const { parseConfig } = await import('@puyu/core');
    const config = parseConfig(
      runConfigSchema,
      { models: [spec], datasets: datasets.map((d) => ({ name: d.trim(), limit, maxTokens })), dataRoot, outDir, concurrency: 2 },
      'the evaluation form',
    );
    const job: EvalJob = { id: name, run: name, status: 'running', done: 0, total: 0, line: '', startedAt: Date.now() };
    this.jobs.set(job.id, job);
    const stream = new Writable({
      write(chunk, _enc, cb) {
        const line = String(chunk).trim();
        const m = /(\d+)\/(\d+)/.exec(line);
        if (m) {
          job.done = Number(m[1]);
          job.total = Number(m[2]);
        }
        if (line) job.line = line;
        cb();
      },
    });
    runEval(config, {
      startLocal: localModelStarter({ contextSize: 2048, threads: 1, sequences: 2 }),
      progress: { stream, lineIntervalMs: 250 },
    }).then(
      (s) => {
        job.status = s.status === 'done' ? 'done' : 'failed';
        if (s.status !== 'done')
          job.error = { code: 'STUDIO_EVAL_ABORTED', message: 'the run stopped before it finished; start it again to resume.' };
      },
      (e: unknown) => {
        const err = e as { code?: string; message?: string };
        job.status = 'failed';
        job.error = { code: err.code ?? 'INTERNAL_ERROR', message: err.message ?? String(e) };
      },
    );
    return job;
  }
}
