import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Progress, PuyuError } from '@puyu/core';
import { currentCommand, FILE_MANIFEST_SUFFIX, writeLineage } from '@puyu/core/lineage';
import { DataError } from '../errors.js';
import { writeReport } from '../report/writeReport.js';
import { loadPipeline, type PipelineConfig } from './config.js';
import { DONE_MARKER, runUnit, unitDir } from './runUnit.js';
import { mergeUnitStats, type UnitStats } from './UnitStats.js';

export interface RunOptions {
  /** This task's part of the units: i of N (a Slurm array index / K8s completion index). */
  shard?: { index: number; count: number };
  /** Worker threads (default 1: in-process). */
  workers?: number;
  silent?: boolean;
  /** The command recorded in the outputs' lineage manifests (default: this process's command line). */
  command?: string;
}

export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!(count >= 1 && index >= 0 && index < count))
    throw new DataError('DATA_BAD_SHARD', `--shard must be INDEX/COUNT with 0 ≤ INDEX < COUNT, got "${s}".`);
  return { index, count };
}

/** Input files, sorted: folders are listed recursively, `*` and `?` match in the last path component. */
export async function resolveInputs(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const s = await stat(p);
    if (s.isDirectory()) for (const e of (await readdir(p)).sort()) await walk(join(p, e));
    else out.push(p);
  };
  for (const p of paths) {
    const name = basename(p);
    if (/[*?]/.test(name)) {
      const re = new RegExp(
        `^${name
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      const dir = dirname(p);
      const entries = existsSync(dir) ? (await readdir(dir)).filter((e) => re.test(e)).sort() : [];
      for (const e of entries) await walk(join(dir, e));
    } else if (existsSync(p)) await walk(p);
  }
  if (out.length === 0) throw new DataError('DATA_NO_INPUT', `no input file matches ${paths.join(', ')}.`);
  return [...new Set(out)].filter((f) => !basename(f).startsWith('.')).sort();
}

export interface RunResult {
  reportPath: string;
  units: UnitStats[];
  skipped: number;
}

/**
 * `puyu data run`: each input file is a unit (its output is `shard-NNNNN/`), units are split
 * across `--shard i/N` tasks by index mod N and across worker threads inside a task; a unit with a
 * done marker is skipped, so a killed run resumes with byte-identical output.
 */
export async function runPipeline(pipelinePath: string, o: RunOptions = {}): Promise<RunResult> {
  const cfg = await loadPipeline(pipelinePath);
  return runPipelineConfig(cfg, o);
}

export async function runPipelineConfig(cfg: PipelineConfig, o: RunOptions = {}): Promise<RunResult> {
  const files = await resolveInputs(cfg.input.paths);
  const shard = o.shard ?? { index: 0, count: 1 };
  const mine = files.map((f, unit) => ({ unit, inputs: [f] })).filter((u) => u.unit % shard.count === shard.index);
  const done: UnitStats[] = [];
  const todo: typeof mine = [];
  for (const u of mine) {
    const marker = join(unitDir(cfg, u.unit), DONE_MARKER);
    if (existsSync(marker)) done.push(JSON.parse(await readFile(marker, 'utf8')) as UnitStats);
    else todo.push(u);
  }
  const skipped = done.length;
  const progress = new Progress({ total: todo.length, label: `data run ${cfg.name}`, unit: 'shard', silent: o.silent });
  const workers = Math.max(1, Math.min(o.workers ?? 1, todo.length));
  if (workers === 1) {
    for (const u of todo) {
      done.push(await runUnit(cfg, u.unit, u.inputs));
      progress.tick();
    }
  } else done.push(...(await runInWorkers(cfg, todo, workers, () => progress.tick())));
  progress.finish();
  await recordOutputs(cfg, done, o.command);
  const suffix = shard.count > 1 ? `-shard-${shard.index}-of-${shard.count}` : '';
  const reportPath = join(cfg.output.dir, `report${suffix}.md`);
  await writeReport(reportPath, cfg, mergeUnitStats(done, cfg.examplesPerReason));
  return { reportPath, units: done.sort((a, b) => a.unit - b.unit), skipped };
}

/**
 * A lineage manifest beside every output file (kept documents, token shards): its parents are the
 * unit's input files. Written after the unit's done marker and again for any a killed run missed.
 */
async function recordOutputs(cfg: PipelineConfig, units: UnitStats[], command: string | undefined): Promise<void> {
  for (const u of units)
    for (const rel of u.outputs) {
      const path = join(cfg.output.dir, rel);
      if (!existsSync(path) || existsSync(`${path}${FILE_MANIFEST_SUFFIX}`)) continue;
      const tokens = !rel.endsWith('.jsonl') && !rel.endsWith('.jsonl.gz');
      await writeLineage(path, {
        kind: tokens ? 'token-shard' : 'corpus',
        command: command ?? currentCommand(),
        config: { pipeline: cfg.name, steps: cfg.steps, ...(tokens ? { tokenizer: cfg.output.tokenizer } : {}) },
        parents: [...u.inputs, ...(tokens && cfg.output.tokenizer ? [{ path: cfg.output.tokenizer, kind: 'tokenizer' as const }] : [])],
        metrics: { read: u.read, kept: u.kept },
      });
    }
}

async function runInWorkers(
  cfg: PipelineConfig,
  todo: { unit: number; inputs: string[] }[],
  n: number,
  onUnit: () => void,
): Promise<UnitStats[]> {
  const queue = [...todo];
  const results: UnitStats[] = [];
  // Worker threads need JavaScript: beside this file in dist/, or (running from src/ under tsx or
  // vitest) the package's built dist/, which `tsc -b` and the test setup produce.
  const beside = new URL('./unitWorker.js', import.meta.url);
  const url = existsSync(beside) ? beside : new URL('../../dist/pipeline/unitWorker.js', import.meta.url);
  const one = () =>
    new Promise<void>((resolveDone, reject) => {
      // Without the parent's `--conditions source` (tsx, vitest): the worker runs the built JavaScript.
      const execArgv = process.execArgv.filter((a, i, all) => !a.startsWith('--conditions') && all[i - 1] !== '--conditions' && a !== '-C');
      const w = new Worker(url, { workerData: { cfg }, execArgv });
      const next = () => {
        const u = queue.shift();
        if (u) w.postMessage(u);
        else {
          w.postMessage('exit');
          resolveDone();
        }
      };
      w.on('message', (m: { done?: UnitStats; error?: { message: string; code: string } }) => {
        if (m.done) {
          results.push(m.done);
          onUnit();
          next();
        } else if (m.error) {
          w.terminate();
          reject(new PuyuError(m.error.code, m.error.message));
        }
      });
      w.on('error', reject);
      next();
    });
  await Promise.all(Array.from({ length: n }, one));
  return results;
}
