import { join } from 'node:path';
import { parseJsonl } from '@puyu/core';
import { mathEvaluator } from '../evaluators/evaluators.js';
import { mathGold } from '../extract/math.js';
import { mathTemplate } from '../prompts/templates.js';
import type { DatasetDef, EvalSample, LoadOptions } from '../types.js';
import { applyLimit, badRecord, pickSubsets, readDataFile } from './files.js';

const HOW_FULL =
  'Get the MATH test split (hendrycks/math, 5,000 problems) as JSON Lines with fields problem, level, type, solution, saved as <root>/math/test.jsonl.';
const HOW_500 =
  'Get MATH-500 (openai/prm800k prm800k/math_splits/test.jsonl: problem, solution, answer, subject, level, unique_id) as <root>/math/math500_test.jsonl.';

export const MATH_SUBJECTS = [
  'Algebra',
  'Counting & Probability',
  'Geometry',
  'Intermediate Algebra',
  'Number Theory',
  'Prealgebra',
  'Precalculus',
] as const;

interface MathRow {
  problem?: string;
  solution?: string;
  answer?: string;
  type?: string;
  subject?: string;
  level?: string | number;
  unique_id?: string;
}

async function read(opts: LoadOptions, dataset: 'math' | 'math500'): Promise<EvalSample[]> {
  const file = dataset === 'math' ? 'test.jsonl' : 'math500_test.jsonl';
  const path = join(opts.root, 'math', file);
  const rows = parseJsonl<MathRow>(await readDataFile(path, dataset, dataset === 'math' ? HOW_FULL : HOW_500), path);
  const subsets = pickSubsets(MATH_SUBJECTS, opts.subsets, dataset);
  const out: EvalSample[] = [];
  rows.forEach((r, i) => {
    if (typeof r.problem !== 'string' || typeof r.solution !== 'string')
      throw badRecord(dataset, `${path}:${i + 1}`, 'needs "problem" and "solution"');
    // MATH-500 ships the answer; the full test set has it only as the solution's last \boxed{}.
    const gold = typeof r.answer === 'string' ? r.answer : mathGold(r.solution);
    if (gold === null) throw badRecord(dataset, `${path}:${i + 1}`, 'the solution has no \\boxed{} answer');
    const subject = r.subject ?? r.type ?? '';
    if (!subsets.includes(subject)) return;
    const id = dataset === 'math500' && r.unique_id ? `math500/${r.unique_id}` : `${dataset}/${i}`;
    out.push({ id, dataset, subset: subject, question: r.problem, gold, solution: r.solution, meta: { level: r.level } });
  });
  return applyLimit(out, opts);
}

function def(name: 'math' | 'math500', description: string, how: string): DatasetDef {
  return {
    name,
    kind: 'gen',
    description,
    dirName: 'math',
    subsets: MATH_SUBJECTS,
    howToObtain: how,
    load: (opts) => read(opts, name),
    template: mathTemplate,
    fewShot: { retriever: 'zero', k: 0 },
    evaluator: () => mathEvaluator(),
  };
}

export const math = def('math', 'MATH competition problems, full 5,000-problem test split; \\boxed{} answers, v2 equivalence.', HOW_FULL);
export const math500 = def('math500', 'MATH-500 (the PRM800K test subset of MATH).', HOW_500);
