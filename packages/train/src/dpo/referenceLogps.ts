import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { Progress } from '@puyu/core';
import type { InternLM2Config, InternLM2Weights } from '@puyu/model';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { DpoModel } from './DpoModel.js';
import { type DpoBatcherOptions, dpoBatch } from './data/DpoBatcher.js';
import type { DpoExample } from './data/tokenizeDpoPair.js';

/** Reference reply log-probs, two per example (chosen, rejected), for each split. */
export interface ReferenceLogps {
  train: Float64Array;
  val: Float64Array;
}

/**
 * The frozen reference model's reply log-probs for every pair, computed once (a forward pass of
 * the initial weights) and cached in `path` under `key` (the run's model and data hashes): a
 * resumed run, or a rerun on the same model and data, reads them back instead of recomputing,
 * and any change of model or data recomputes them. A cache that cannot be read is recomputed.
 */
export async function referenceLogps(
  path: string,
  key: string,
  compute: { config: InternLM2Config; weights: InternLM2Weights; threads: number; batch: Omit<DpoBatcherOptions, 'seed'> },
  sets: { train: readonly DpoExample[]; val: readonly DpoExample[] },
  log: (msg: string) => void,
  quiet?: boolean,
): Promise<ReferenceLogps> {
  const cached = existsSync(path) ? await readCache(path, key, sets) : undefined;
  if (cached) {
    log(`reference log-probs: read from ${path}`);
    return cached;
  }
  const total = sets.train.length + sets.val.length;
  const progress = new Progress({ total, label: 'dpo reference', unit: 'pair', silent: quiet });
  using model = new GgmlInternLM2(compute.config, compute.weights, { threads: compute.threads });
  using dpo = new DpoModel(model, 1);
  let done = 0;
  const pass = (examples: readonly DpoExample[]) => {
    const out = new Float64Array(2 * examples.length);
    for (let i = 0; i < examples.length; i += compute.batch.pairs) {
      const idx = Array.from({ length: Math.min(compute.batch.pairs, examples.length - i) }, (_, k) => i + k);
      const b = dpoBatch(examples, idx, compute.batch);
      const r = dpo.run(b, new Float64Array(idx.length), false);
      out.set(r.seqLogp, 2 * i);
      done += idx.length;
      progress.update(done);
    }
    return out;
  };
  const refs = { train: pass(sets.train), val: pass(sets.val) };
  progress.finish();
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify({ version: 1, key, train: [...refs.train], val: [...refs.val] }));
  await rename(tmp, path);
  log(`reference log-probs: ${total} pairs computed with the initial model → ${path}`);
  return refs;
}

async function readCache(path: string, key: string, sets: { train: readonly DpoExample[]; val: readonly DpoExample[] }) {
  try {
    const c = JSON.parse(await readFile(path, 'utf8')) as { version?: number; key?: string; train?: number[]; val?: number[] };
    if (c.version !== 1 || c.key !== key) return undefined;
    if (c.train?.length !== 2 * sets.train.length || c.val?.length !== 2 * sets.val.length) return undefined;
    if (![...c.train, ...c.val].every((x) => typeof x === 'number' && Number.isFinite(x))) return undefined;
    return { train: Float64Array.from(c.train), val: Float64Array.from(c.val) };
  } catch {
    return undefined;
  }
}
