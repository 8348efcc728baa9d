import { join } from 'node:path';
import { parseJsonl } from '@puyu/core';
import { HumanEvalEvaluator } from '../evaluators/HumanEvalEvaluator.js';
import { humanevalTemplate } from '../prompts/templates.js';
import type { DatasetDef, EvalSample, LoadOptions } from '../types.js';
import { applyLimit, badRecord, readDataFile } from './files.js';

const HOW = 'Download data/HumanEval.jsonl.gz from https://github.com/openai/human-eval, gunzip it to <root>/humaneval/HumanEval.jsonl.';

interface Row {
  task_id?: string;
  prompt?: string;
  entry_point?: string;
  canonical_solution?: string;
  test?: string;
}

async function load(opts: LoadOptions): Promise<EvalSample[]> {
  const path = join(opts.root, 'humaneval', 'HumanEval.jsonl');
  const rows = parseJsonl<Row>(await readDataFile(path, 'humaneval', HOW), path);
  const out = rows.map((r, i): EvalSample => {
    if (!r.task_id || !r.prompt || !r.entry_point || typeof r.canonical_solution !== 'string' || !r.test) {
      throw badRecord('humaneval', `${path}:${i + 1}`, 'needs task_id, prompt, entry_point, canonical_solution and test');
    }
    return {
      id: r.task_id,
      dataset: 'humaneval',
      question: r.prompt,
      gold: r.canonical_solution,
      meta: { entryPoint: r.entry_point, test: r.test },
    };
  });
  return applyLimit(out, opts);
}

export const humaneval: DatasetDef = {
  name: 'humaneval',
  kind: 'code',
  description: 'HumanEval: 164 Python functions, pass@k with sandboxed execution.',
  dirName: 'humaneval',
  howToObtain: HOW,
  load,
  template: humanevalTemplate,
  fewShot: { retriever: 'zero', k: 0 },
  // OpenCompass's base-model configs cut completions with internal_v2, its chat configs with v2.
  evaluator: (ctx) => new HumanEvalEvaluator({ postprocess: ctx?.style === 'base' ? 'internal_v2' : 'v2' }),
  openCompass: { abbr: () => 'openai_humaneval' },
};
