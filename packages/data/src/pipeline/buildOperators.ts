import { PuyuError } from '@puyu/core';
import { DataError } from '../errors.js';
import { blocklistOperator } from '../ops/blocklist.js';
import { c4Operator } from '../ops/c4.js';
import { decontaminateOperator } from '../ops/decontaminate.js';
import { exactDedupOperator, minhashDedupOperator } from '../ops/dedupOps.js';
import { gopherQualityOperator } from '../ops/gopherQuality.js';
import { gopherRepetitionOperator } from '../ops/gopherRepetition.js';
import { langIdOperator } from '../ops/langid.js';
import { normalizeOperator } from '../ops/normalize.js';
import type { Operator } from '../ops/Operator.js';
import { perplexityOperator } from '../ops/perplexity.js';
import { piiOperator } from '../ops/pii.js';
import { qualityClassifierOperator } from '../ops/qualityClassifier.js';
import type { PipelineConfig, StepConfig } from './config.js';

async function readList(baseDir: string, v: unknown): Promise<string[]> {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string') return [];
  const { readFile } = await import('node:fs/promises');
  const { resolve } = await import('node:path');
  return (await readFile(resolve(baseDir, v), 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** The operators of a pipeline's steps, fresh (dedup state is per shard). */
export async function buildOperators(cfg: PipelineConfig): Promise<Operator[]> {
  const ops: Operator[] = [];
  for (const s of cfg.steps) ops.push(await buildOne(cfg, s));
  return ops;
}

async function buildOne(cfg: PipelineConfig, s: StepConfig): Promise<Operator> {
  const o = s.options as Record<string, never>;
  const { resolve } = await import('node:path');
  const path = (p: unknown) => resolve(cfg.baseDir, String(p));
  try {
    switch (s.op) {
      case 'normalize':
        return normalizeOperator(o);
      case 'langid':
        return await langIdOperator(o);
      case 'gopher_quality':
        return gopherQualityOperator(o);
      case 'gopher_repetition':
        return gopherRepetitionOperator(o);
      case 'c4':
        return c4Operator(o);
      case 'pii':
        return piiOperator(o);
      case 'blocklist':
        return blocklistOperator({
          ...(s.options as object),
          words: await readList(cfg.baseDir, s.options.words),
          domains: await readList(cfg.baseDir, s.options.domains),
        });
      case 'exact_dedup':
        return exactDedupOperator(o);
      case 'minhash_dedup':
        return minhashDedupOperator(o);
      case 'decontaminate': {
        const b = s.options.benchmarks;
        return await decontaminateOperator({ ...(s.options as object), benchmarks: (Array.isArray(b) ? b : [b]).map(path) });
      }
      case 'perplexity':
        return await perplexityOperator({ ...(s.options as object), model: String(s.options.model) });
      case 'quality_classifier':
        return await qualityClassifierOperator({
          ...(s.options as object),
          good: Array.isArray(s.options.good) ? (s.options.good as string[]) : path(s.options.good),
          bad: Array.isArray(s.options.bad) ? (s.options.bad as string[]) : path(s.options.bad),
        });
    }
  } catch (e) {
    if (e instanceof PuyuError) throw e;
    throw new DataError('DATA_BAD_PIPELINE', `step ${s.op}: ${(e as Error).message}`, { cause: e });
  }
  throw new DataError('DATA_BAD_PIPELINE', `unknown operator ${s.op}.`);
}
