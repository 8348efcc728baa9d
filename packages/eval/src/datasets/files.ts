import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

/** Applies `limit` overall, or per subset when `limitPerSubset` is set; file order is kept. */
export function applyLimit(samples: EvalSample[], opts: LoadOptions): EvalSample[] {
  const { limit } = opts;
  if (limit === undefined) return samples;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new DatasetError('EVAL_BAD_LIMIT', `limit must be a non-negative integer, got ${limit}.`);
  }
  if (!opts.limitPerSubset) return samples.slice(0, limit);
  const seen = new Map<string, number>();
  return samples.filter((s) => {
    const k = s.subset ?? '';
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return n < limit;
  });
}

export function badRecord(dataset: string, where: string, what: string): DatasetError {
  return new DatasetError('EVAL_BAD_RECORD', `${dataset}: ${where}: ${what}. Check that the file is the unmodified public release.`, {
    details: { where },
  });
}
