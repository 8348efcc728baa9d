import type { EvalSample } from '../types.js';

/** One unit of work: a shard of one dataset for one model (OpenCompass's size partitioner). */
export interface EvalTask {
  /** `model/dataset/shard`, stable across runs. */
  id: string;
  model: number;
  dataset: number;
  shard: number;
  samples: EvalSample[];
}

/**
 * Splits model × dataset into shards of at most `shardSize` samples, dataset-major so the
 * first results to finish cover every model (a half-done run still compares models).
 */
export function partitionTasks(
  modelLabels: readonly string[],
  datasets: readonly { name: string; samples: EvalSample[] }[],
  shardSize: number,
): EvalTask[] {
  const tasks: EvalTask[] = [];
  for (const [d, ds] of datasets.entries()) {
    const shards = Math.max(1, Math.ceil(ds.samples.length / shardSize));
    for (let s = 0; s < shards; s++) {
      for (const [m, label] of modelLabels.entries()) {
        const samples = ds.samples.slice(s * shardSize, (s + 1) * shardSize);
        if (samples.length === 0) continue;
        tasks.push({ id: `${label}/${ds.name}/${s}`, model: m, dataset: d, shard: s, samples });
      }
    }
  }
  return tasks;
}

/** A file-system-safe form of a label (model names hold `/` and `:`). */
export function safeName(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'model';
}
