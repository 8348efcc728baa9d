import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StudioError } from './errors.js';

/**
 * What the Studio knows about a run folder, read from the files our commands write — never
 * copied anywhere. A folder is a run when it holds `metrics.jsonl` (puyu train / quickstart),
 * `run.json` (puyu eval run) or `.ptok` shards (the data step).
 */
/** Training runs carry their method (pretrain, sft, dpo, …) as the stage. */
export type RunStage = 'data' | 'pretrain' | 'sft' | 'dpo' | 'eval' | (string & {});
export type RunStatus = 'running' | 'done' | 'stopped' | 'aborted';

export interface RunFile {
  /** Absolute path. */
  path: string;
  /** What it is: train, val, tokenizer, model, checkpoint, hf, gguf, summary, report, shard, dataRoot. */
  role: string;
  /** The run folder that holds it, when it lies under the runs folder. */
  run?: string;
  bytes?: number;
}

export interface RunInfo {
  /** Path relative to the runs folder, `/`-separated: the id the API and pages use. */
  id: string;
  dir: string;
  stage: RunStage;
  status: RunStatus;
  /** Last write to the run's main file (ms since the epoch). */
  updatedAt: number;
  inputs: RunFile[];
  outputs: RunFile[];
  /** Runs that take one of this run's outputs as input. */
  usedBy: string[];
  /** Stage facts shown on the overview: steps, losses, scores. */
  facts: Record<string, number | string>;
}

/** A run whose main file changed this recently is shown as running. */
export const RUNNING_WINDOW_MS = 60_000;
const SKIP = new Set(['checkpoints', 'hf', 'predictions', 'results', 'node_modules', '.git']);

async function size(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/** The last complete line of a JSONL file, parsed (a torn last line from a killed writer is skipped). */
export async function lastJsonLine(path: string): Promise<Record<string, unknown> | undefined> {
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].trim()) continue;
    try {
      return JSON.parse(lines[i]) as Record<string, unknown>;
    } catch {}
  }
  return undefined;
}

interface CheckpointFingerprint {
  data?: { settings?: Record<string, unknown>; files?: { role: string; path: string; bytes?: number }[] };
}

/** The newest checkpoint's manifest: its fingerprint names the data, tokenizer and method of the run. */
async function latestManifest(dir: string): Promise<{ step: number; fingerprint?: CheckpointFingerprint } | undefined> {
  const ck = join(dir, 'checkpoints');
  if (!existsSync(ck)) return undefined;
  const steps = (await readdir(ck)).filter((n) => /^step-\d+$/.test(n)).sort();
  for (const name of steps.reverse()) {
    try {
      return (await readJson(join(ck, name, 'manifest.json'))) as { step: number; fingerprint?: CheckpointFingerprint };
    } catch {}
  }
  return undefined;
}

/**
 * The training config that wrote this folder, when it sits beside it (quickstart writes
 * `<out>/pretrain.json` for `<out>/pretrain`): it gives the planned step count for the ETA.
 */
export async function findTrainConfig(dir: string): Promise<{ path: string; steps?: number; initFrom?: string } | undefined> {
  const parent = dirname(dir);
  let names: string[] = [];
  try {
    names = (await readdir(parent)).filter((n) => n.endsWith('.json'));
  } catch {
    return undefined;
  }
  for (const n of names) {
    const path = join(parent, n);
    try {
      const c = (await readJson(path)) as { output?: { dir?: string }; train?: { steps?: number }; init_from?: string };
      const out = c.output?.dir;
      if (typeof out !== 'string') continue;
      if (resolve(parent, out) !== resolve(dir)) continue;
      const initFrom = typeof c.init_from === 'string' ? resolve(parent, c.init_from) : undefined;
      return { path, steps: c.train?.steps, initFrom };
    } catch {}
  }
  return undefined;
}

async function trainingRun(dir: string): Promise<Omit<RunInfo, 'id' | 'usedBy'>> {
  const metrics = join(dir, 'metrics.jsonl');
  const st = await stat(metrics);
  const manifest = await latestManifest(dir);
  const config = await findTrainConfig(dir);
  const method = manifest?.fingerprint?.data?.settings?.method;
  const inputs: RunFile[] = (manifest?.fingerprint?.data?.files ?? []).map((f) => ({ path: f.path, role: f.role, bytes: f.bytes }));
  if (config?.initFrom) inputs.push({ path: config.initFrom, role: 'model' });
  if (config) inputs.push({ path: config.path, role: 'config' });
  const outputs: RunFile[] = [{ path: metrics, role: 'metrics', bytes: st.size }];
  const names = await readdir(dir);
  for (const n of names.sort()) {
    if (n.endsWith('.gguf')) outputs.push({ path: join(dir, n), role: 'gguf', bytes: await size(join(dir, n)) });
  }
  if (existsSync(join(dir, 'hf', 'config.json'))) outputs.push({ path: join(dir, 'hf'), role: 'hf' });
  if (existsSync(join(dir, 'checkpoints'))) {
    for (const n of (await readdir(join(dir, 'checkpoints'))).filter((x) => x.startsWith('step-')).sort())
      outputs.push({ path: join(dir, 'checkpoints', n), role: 'checkpoint' });
  }
  const last = await lastJsonLine(metrics).catch(() => undefined);
  const facts: Record<string, number | string> = {};
  if (last) {
    for (const k of ['step', 'loss', 'tokens']) if (typeof last[k] === 'number') facts[k] = last[k] as number;
  }
  if (config?.steps) facts.planned_steps = config.steps;
  const hasExport = outputs.some((o) => o.role === 'gguf');
  const running = Date.now() - st.mtimeMs < RUNNING_WINDOW_MS && !hasExport;
  return {
    dir,
    stage: typeof method === 'string' && /^[a-z0-9_-]+$/.test(method) ? method : 'pretrain',
    status: running ? 'running' : hasExport ? 'done' : 'stopped',
    updatedAt: st.mtimeMs,
    inputs,
    outputs,
    facts,
  };
}

interface EvalRunJson {
  status?: string;
  results?: { model: string; dataset: string; score: number; metric: string }[];
  config?: { models?: unknown[]; dataRoot?: string };
}

function modelSpecPath(m: unknown): string | undefined {
  const spec = typeof m === 'string' ? m : typeof m === 'object' && m && 'model' in m ? String((m as { model: unknown }).model) : undefined;
  return spec?.startsWith('local:') ? spec.slice('local:'.length) : undefined;
}

async function evalRun(dir: string): Promise<Omit<RunInfo, 'id' | 'usedBy'>> {
  const runFile = join(dir, 'run.json');
  const st = await stat(runFile);
  let run: EvalRunJson;
  try {
    run = (await readJson(runFile)) as EvalRunJson;
  } catch (e) {
    throw new StudioError('STUDIO_FILE_UNREADABLE', `${runFile} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const inputs: RunFile[] = [];
  for (const m of run.config?.models ?? []) {
    const p = modelSpecPath(m);
    if (p) inputs.push({ path: resolve(p), role: 'model' });
  }
  if (run.config?.dataRoot) inputs.push({ path: resolve(run.config.dataRoot), role: 'dataRoot' });
  const outputs: RunFile[] = [{ path: runFile, role: 'run' }];
  for (const [n, role] of [
    ['summary.csv', 'summary'],
    ['summary.md', 'summary'],
    ['report.html', 'report'],
  ] as const)
    if (existsSync(join(dir, n))) outputs.push({ path: join(dir, n), role });
  const facts: Record<string, number | string> = {};
  for (const r of run.results ?? []) facts[`${r.dataset} · ${r.model}`] = Math.round(r.score * 100) / 100;
  return {
    dir,
    stage: 'eval',
    status: run.status === 'done' ? 'done' : run.status === 'aborted' ? 'aborted' : 'running',
    updatedAt: st.mtimeMs,
    inputs,
    outputs,
    facts,
  };
}

async function dataRun(dir: string, shards: string[]): Promise<Omit<RunInfo, 'id' | 'usedBy'>> {
  const outputs: RunFile[] = [];
  let updatedAt = 0;
  for (const n of shards) {
    const st = await stat(join(dir, n));
    updatedAt = Math.max(updatedAt, st.mtimeMs);
    outputs.push({ path: join(dir, n), role: 'shard', bytes: st.size });
  }
  return { dir, stage: 'data', status: 'done', updatedAt, inputs: [], outputs, facts: { shards: shards.length } };
}

/**
 * A `puyu data run` output folder (report.md beside shard-NNNNN/ folders): its kept-document
 * files and token shards are the outputs, the done markers' counts its facts.
 */
async function pipelineRun(dir: string, shardDirs: string[]): Promise<Omit<RunInfo, 'id' | 'usedBy'>> {
  const outputs: RunFile[] = [];
  let updatedAt = (await stat(join(dir, 'report.md'))).mtimeMs;
  let read = 0;
  let kept = 0;
  for (const s of shardDirs.sort()) {
    const done = await readJson(join(dir, s, '.done.json')).catch(() => undefined);
    const stats = done as { read?: number; kept?: number; outputs?: string[] } | undefined;
    read += stats?.read ?? 0;
    kept += stats?.kept ?? 0;
    for (const rel of stats?.outputs ?? []) {
      const path = join(dir, rel);
      if (!existsSync(path)) continue;
      const st = await stat(path);
      updatedAt = Math.max(updatedAt, st.mtimeMs);
      outputs.push({ path, role: rel.endsWith('.ptok') ? 'shard' : 'documents', bytes: st.size });
    }
  }
  outputs.push({ path: join(dir, 'report.md'), role: 'report' });
  return { dir, stage: 'data', status: 'done', updatedAt, inputs: [], outputs, facts: { shards: shardDirs.length, read, kept } };
}

/** A path is inside `root` (or is it). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

const toId = (root: string, dir: string) => relative(root, dir).split(sep).join('/') || '.';

/**
 * Walks the runs folder (4 levels deep, skipping checkpoints/, hf/ and predictions/) and
 * describes every run; inputs and outputs are linked to the runs that hold them.
 */
export async function scanRuns(root: string, maxDepth = 4): Promise<RunInfo[]> {
  const found: Omit<RunInfo, 'id' | 'usedBy'>[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    try {
      if (names.has('metrics.jsonl')) found.push(await trainingRun(dir));
      else if (names.has('run.json')) found.push(await evalRun(dir));
      const shards = entries.filter((e) => e.isFile() && e.name.endsWith('.ptok')).map((e) => e.name);
      if (shards.length && !names.has('metrics.jsonl')) found.push(await dataRun(dir, shards));
      const shardDirs = entries.filter((e) => e.isDirectory() && /^shard-\d+$/.test(e.name)).map((e) => e.name);
      if (names.has('report.md') && shardDirs.length) found.push(await pipelineRun(dir, shardDirs));
    } catch {
      // a folder being written right now (or unreadable) is left out of this scan, not fatal
    }
    if (depth >= maxDepth) return;
    for (const e of entries) if (e.isDirectory() && !SKIP.has(e.name)) await walk(join(dir, e.name), depth + 1);
  };
  await walk(root, 0);
  const runs: RunInfo[] = found.map((r) => ({ ...r, id: toId(root, r.dir), usedBy: [] }));
  // Longest folder first, so a file is credited to the innermost run that holds it.
  const byDepth = [...runs].sort((a, b) => b.dir.length - a.dir.length);
  const owner = (path: string) => byDepth.find((r) => isInside(r.dir, path))?.id;
  for (const r of runs) {
    for (const f of [...r.inputs, ...r.outputs]) f.run = owner(f.path);
    for (const f of r.inputs) {
      const from = runs.find((x) => x.id === f.run);
      if (from && from.id !== r.id && !from.usedBy.includes(r.id)) from.usedBy.push(r.id);
    }
  }
  return runs.sort((a, b) => a.id.localeCompare(b.id));
}

/** The run folder for an id from the API, refusing ids that climb out of the runs folder. */
export function runDir(root: string, id: string | undefined): string {
  if (!id) throw new StudioError('STUDIO_BAD_REQUEST', 'name the run: ?run=<id> (a path relative to the runs folder).');
  const dir = resolve(root, id);
  if (!isInside(root, dir)) throw new StudioError('STUDIO_PATH_OUTSIDE_RUNS', `run "${id}" is outside the runs folder ${root}.`);
  if (!existsSync(dir)) throw new StudioError('STUDIO_RUN_NOT_FOUND', `no run "${id}" under ${root}: pick one from the Chain overview.`);
  return dir;
}

/** A file path from the API, allowed only inside the runs folder. */
export function filePath(root: string, path: string | undefined): string {
  if (!path) throw new StudioError('STUDIO_BAD_REQUEST', 'name the file: ?path=<path>.');
  const abs = resolve(root, path);
  if (!isInside(root, abs))
    throw new StudioError('STUDIO_PATH_OUTSIDE_RUNS', `${abs} is outside the runs folder ${root}; the Studio reads only that folder.`);
  if (!existsSync(abs)) throw new StudioError('STUDIO_RUN_NOT_FOUND', `${abs} does not exist.`);
  return abs;
}
