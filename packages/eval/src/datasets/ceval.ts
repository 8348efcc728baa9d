/**
 * C-Eval in its public release layout: `<split>/<subject>_<split>.csv` for dev / val / test with
 * header `id,question,A,B,C,D,answer,explanation` (dev has explanations, val answers only, test
 * neither), and an optional `subject_mapping.json` (`{subject: [English, 中文, category]}`) that
 * gives the Chinese subject name the prompt uses. Val is the default split: test answers are
 * not public.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accuracyEvaluator } from '../evaluators/evaluators.js';
import { cevalTemplate } from '../prompts/templates.js';
import { type DatasetDef, DatasetError } from '../types.js';
import { badRecord } from './files.js';
import { type CsvRow, letterAnswer, loadMcqCsv, type McqCsvSpec } from './mcqCsv.js';
import { CEVAL_GROUPS } from './summaryGroups.js';

const HOW =
  'Download ceval-exam.zip from https://huggingface.co/datasets/ceval/ceval-exam (or the C-Eval GitHub release) and unzip it so that <root>/ceval/{dev,val,test}/<subject>_<split>.csv exist.';

function rows(table: string[][], where: string): CsvRow[] {
  const header = table[0]?.map((c) => c.trim().toLowerCase()) ?? [];
  const col = (name: string) => header.indexOf(name);
  const [id, q, a, b, c, d, ans, expl] = ['id', 'question', 'a', 'b', 'c', 'd', 'answer', 'explanation'].map(col);
  if (q < 0 || a < 0 || d < 0) throw badRecord('ceval', where, 'expected a header id,question,A,B,C,D[,answer[,explanation]]');
  if (ans < 0) {
    throw new DatasetError(
      'EVAL_NO_ANSWERS',
      `ceval: ${where} has no answer column (C-Eval test answers are not public). Use --split val, or submit test predictions to cevalbenchmark.com.`,
    );
  }
  return table.slice(1).map((r, i) => ({
    key: id >= 0 ? r[id].trim() : String(i),
    question: r[q],
    choices: [r[a], r[b], r[c], r[d]],
    answer: letterAnswer(r[ans], 'ceval', `${where} row ${i + 1}`),
    extra: expl >= 0 && r[expl] ? { explanation: r[expl] } : undefined,
  }));
}

const mappings = new Map<string, Promise<Record<string, string[]>>>();
function mapping(root: string): Promise<Record<string, string[]>> {
  const path = join(root, 'ceval', 'subject_mapping.json');
  let m = mappings.get(path);
  if (!m) {
    m = existsSync(path) ? readFile(path, 'utf8').then((t) => JSON.parse(t) as Record<string, string[]>) : Promise.resolve({});
    mappings.set(path, m);
  }
  return m;
}

export const cevalSpec: McqCsvSpec = {
  dataset: 'ceval',
  dirName: 'ceval',
  howToObtain: HOW,
  fileName: (subject, split) => `${subject}_${split}.csv`,
  subjectOf: (file, split) => (file.endsWith(`_${split}.csv`) ? file.slice(0, -`_${split}.csv`.length) : null),
  rows,
  meta: async (subject, root) => {
    const m = (await mapping(root))[subject];
    return m ? { subjectEn: m[0], subjectZh: m[1], category: m[2] } : {};
  },
};

export const ceval: DatasetDef = {
  name: 'ceval',
  kind: 'mcq',
  description: 'C-Eval: 52 Chinese exam subjects; val split by default (test answers are hidden), 5-shot from dev.',
  dirName: 'ceval',
  howToObtain: HOW,
  load: (opts) => loadMcqCsv(cevalSpec, opts, opts.split ?? 'val'),
  loadFewShotPool: (opts) => loadMcqCsv(cevalSpec, { ...opts, limit: undefined }, 'dev', false),
  template: cevalTemplate,
  fewShot: { retriever: 'fixed', k: 5 },
  evaluator: () => accuracyEvaluator(),
  // OpenCompass names val subjects `ceval-<subject>` and test ones `ceval-test-<subject>`; the split is the id's third part.
  openCompass: {
    abbr: (s) => (s.id.split('/')[2] === 'test' ? `ceval-test-${s.subset}` : `ceval-${s.subset}`),
    groups: CEVAL_GROUPS,
    headline: ['ceval', 'ceval-test'],
  },
};
