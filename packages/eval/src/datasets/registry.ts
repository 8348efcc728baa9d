/** The dataset registry: name → definition (transformers.js-style one map, no side-effect registration). */
import { type DatasetDef, EvaluationError } from '../types.js';
import { arcChallenge } from './arc.js';
import { bbh } from './bbh.js';
import { ceval } from './ceval.js';
import { cmmlu } from './cmmlu.js';
import { gsm8k } from './gsm8k.js';
import { humaneval } from './humaneval.js';
import { math, math500 } from './math.js';
import { mmlu } from './mmlu.js';

export const DATASETS: ReadonlyMap<string, DatasetDef> = new Map(
  [gsm8k, math, math500, bbh, humaneval, mmlu, cmmlu, ceval, arcChallenge].map((d) => [d.name, d]),
);

export function listDatasets(): DatasetDef[] {
  return [...DATASETS.values()];
}

export function getDataset(name: string): DatasetDef {
  const d = DATASETS.get(name);
  if (!d) throw new EvaluationError('EVAL_UNKNOWN_DATASET', `Unknown dataset "${name}". Available: ${[...DATASETS.keys()].join(', ')}.`);
  return d;
}
