import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32 } from '../random.js';
import { DatasetError, type EvalSample, type LoadOptions } from '../types.js';

/** Reads a benchmark file, or fails with the path and how to get the data. */
export async function readDataFile(path: string, dataset: string, howToObtain: string): Promise<string> {
  if (!existsSync(path)) {
    throw new DatasetError(
      'EVAL_DATA_MISSING',
      `${dataset}: ${path} does not exist. ${howToObtain} Then pass the folder that contains it as the data root (--data-root).`,
      { details: { path, dataset } },
    );
  }
  return readFile(path, 'utf8');
}

/** Lists `*.csv` files of a folder (sorted), or fails like `readDataFile` when it is missing. */
export function listCsv(dir: string, dataset: string, howToObtain: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError(
      'EVAL_DATA_MISSING',
      `${dataset}: folder ${dir} does not exist. ${howToObtain} Then pass the folder that contains it as the data root (--data-root).`,
      { details: { path: dir, dataset } },
    );
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort();
}

export function datasetDir(opts: LoadOptions, dirName: string): string {
  return join(opts.root, dirName);
}

/** Checks requested subsets exist; an unknown name is a typo the user should hear about. */
export function pickSubsets(all: readonly string[], wanted: readonly string[] | undefined, dataset: string): string[] {
  if (!wanted || wanted.length === 0) return [...all];
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length) {
    throw new DatasetError('EVAL_UNKNOWN_SUBSET', `${dataset}: unknown subset(s) ${unknown.join(', ')}. Available: ${all.join(', ')}.`, {
      details: { unknown },
    });
  }
  return all.filter((s) => wanted.includes(s));
}

/**
 * How a limit is spread over subjects: `equal` gives every subject the same count (for benchmarks
 * whose headline is the unweighted mean over subjects: each subject's accuracy then has the same
 * precision), `proportional` keeps the subjects' shares (for a headline over all samples, MATH).
 */
export type LimitAllocation = 'equal' | 'proportional';

/** A stable 32-bit hash of a subject name, so each subject's draw depends on the seed and its own name only. */
function hashName(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** How many samples each subject gets; `sizes` in subject order, the remainder goes to subjects in a seeded order. */
export function allocate(sizes: readonly number[], limit: number, allocation: LimitAllocation, seed: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (limit >= total) return [...sizes];
  const order = shuffled(
    sizes.map((_, i) => i),
    mulberry32(seed),
  );
  const take = sizes.map(() => 0);
  if (allocation === 'proportional') {
    const quota = sizes.map((n) => (limit * n) / total);
    quota.forEach((q, i) => {
      take[i] = Math.floor(q);
    });
    // Largest remainder first; ties in the seeded order.
    const rank = new Map(order.map((i, r) => [i, r]));
    const byRemainder = order.slice().sort((a, b) => quota[b] - take[b] - (quota[a] - take[a]) || rank.get(a)! - rank.get(b)!);
    let left = limit - take.reduce((a, b) => a + b, 0);
    for (const i of byRemainder) {
      if (left === 0) break;
      take[i]++;
      left--;
    }
    return take;
  }
  // Equal shares, filled round by round so a small subject's unused share goes to the others.
  let left = limit;
  while (left > 0) {
    for (const i of order) {
      if (left === 0) break;
      if (take[i] < sizes[i]) {
        take[i]++;
        left--;
      }
    }
  }
  return take;
}

/**
 * Applies `limit`. A dataset without subjects keeps its first `limit` samples (OpenCompass's
 * `test_range='[0:N]'`). A dataset with subjects is sampled across them, stratified and seeded
 * (`opts.seed`, default 0): `allocate` splits the limit over the subjects, and each subject keeps
 * a seeded random choice of its samples — the head of a permutation that depends only on the seed
 * and the subject's name, so raising the limit keeps every sample chosen before (and its cached
 * answer). With `limitPerSubset` each subject keeps its first `limit` samples. File order is kept.
 */
export function applyLimit(samples: EvalSample[], opts: LoadOptions, allocation: LimitAllocation = 'proportional'): EvalSample[] {
  const { limit } = opts;
  if (limit === undefined) return samples;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new DatasetError('EVAL_BAD_LIMIT', `limit must be a non-negative integer, got ${limit}.`);
  }
  if (opts.limitPerSubset) {
    const seen = new Map<string, number>();
    return samples.filter((s) => {
      const k = s.subset ?? '';
      const n = seen.get(k) ?? 0;
      seen.set(k, n + 1);
      return n < limit;
    });
  }
  if (samples.every((s) => s.subset === undefined)) return samples.slice(0, limit);
  const strata = new Map<string, number[]>();
  samples.forEach((s, i) => {
    const k = s.subset ?? '';
    const list = strata.get(k) ?? [];
    list.push(i);
    strata.set(k, list);
  });
  const seed = opts.seed ?? 0;
  const names = [...strata.keys()];
  const counts = allocate(
    names.map((n) => strata.get(n)!.length),
    limit,
    allocation,
    seed,
  );
  const keep = new Set<number>();
  names.forEach((name, k) => {
    const random = mulberry32((seed ^ hashName(name)) >>> 0);
    for (const i of shuffled(strata.get(name)!, random).slice(0, counts[k])) keep.add(i);
  });
  return samples.filter((_, i) => keep.has(i));
}

export function badRecord(dataset: string, where: string, what: string): DatasetError {
  return new DatasetError('EVAL_BAD_RECORD', `${dataset}: ${where}: ${what}. Check that the file is the unmodified public release.`, {
    details: { where },
  });
}
