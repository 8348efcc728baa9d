import { join } from 'node:path';
import { parseJsonl } from '@puyu/core';
import { gsm8kEvaluator } from '../evaluators/evaluators.js';
import { gsm8kGold } from '../extract/numbers.js';
import { gsm8kTemplate } from '../prompts/templates.js';
import type { DatasetDef, EvalSample, LoadOptions } from '../types.js';
import { applyLimit, badRecord, readDataFile } from './files.js';

const HOW =
  'Download test.jsonl and train.jsonl from https://github.com/openai/grade-school-math (grade_school_math/data/) into <root>/gsm8k/.';

async function read(opts: LoadOptions, split: string): Promise<EvalSample[]> {
  const path = join(opts.root, 'gsm8k', `${split}.jsonl`);
  const rows = parseJsonl<{ question?: string; answer?: string }>(await readDataFile(path, 'gsm8k', HOW), path);
  return rows.map((r, i) => {
    if (typeof r.question !== 'string' || typeof r.answer !== 'string')
      throw badRecord('gsm8k', `${path}:${i + 1}`, 'needs "question" and "answer"');
    return { id: `gsm8k/${split}/${i}`, dataset: 'gsm8k', question: r.question, gold: gsm8kGold(r.answer), solution: r.answer, meta: {} };
  });
}

export const gsm8k: DatasetDef = {
  name: 'gsm8k',
  kind: 'gen',
  description: 'GSM8K grade-school math word problems (1,319 test); last-number extraction, #### gold.',
  dirName: 'gsm8k',
  howToObtain: HOW,
  load: async (opts) => applyLimit(await read(opts, opts.split ?? 'test'), opts),
  loadFewShotPool: (opts) => read(opts, 'train'),
  template: gsm8kTemplate,
  fewShot: { retriever: 'fixed', k: 4 },
  evaluator: gsm8kEvaluator,
};
