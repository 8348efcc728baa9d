/**
 * MMLU in both public CSV layouts: the original hendrycks release (no header; columns question,
 * A, B, C, D, answer-letter) and the common re-save with a header row
 * `question,choice0,choice1,choice2,choice3,answer` and 0-based numeric answers. The layout is
 * detected per file from its first row.
 */
import { accuracyEvaluator } from '../evaluators/evaluators.js';
import { mmluTemplate } from '../prompts/templates.js';
import type { DatasetDef } from '../types.js';
import { badRecord } from './files.js';
import { type CsvRow, letterAnswer, loadMcqCsv, type McqCsvSpec } from './mcqCsv.js';
import { MMLU_ABBR_PREFIX, MMLU_GROUPS } from './summaryGroups.js';

const HOW =
  'Download https://people.eecs.berkeley.edu/~hendrycks/data.tar (or the hendrycks/test repository) and copy data/{dev,test}/*.csv into <root>/mmlu/{dev,test}/.';

function rows(table: string[][], where: string): CsvRow[] {
  const header = table[0]?.map((c) => c.trim().toLowerCase());
  const hasHeader = header?.[0] === 'question' && header[5] === 'answer';
  const body = hasHeader ? table.slice(1) : table;
  return body.map((r, i) => {
    if (r.length !== 6) throw badRecord('mmlu', `${where} row ${i + 1}`, `expected 6 columns, found ${r.length}`);
    return { key: String(i), question: r[0], choices: r.slice(1, 5), answer: letterAnswer(r[5], 'mmlu', `${where} row ${i + 1}`) };
  });
}

export const mmluSpec: McqCsvSpec = {
  dataset: 'mmlu',
  dirName: 'mmlu',
  howToObtain: HOW,
  fileName: (subject, split) => `${subject}_${split}.csv`,
  subjectOf: (file, split) => (file.endsWith(`_${split}.csv`) ? file.slice(0, -`_${split}.csv`.length) : null),
  rows,
};

export const mmlu: DatasetDef = {
  name: 'mmlu',
  kind: 'mcq',
  description: 'MMLU: 57 subjects, 14,042 test questions, 5-shot from dev.',
  dirName: 'mmlu',
  howToObtain: HOW,
  load: (opts) => loadMcqCsv(mmluSpec, opts, opts.split ?? 'test'),
  loadFewShotPool: (opts) => loadMcqCsv(mmluSpec, { ...opts, limit: undefined }, 'dev', false),
  template: mmluTemplate,
  fewShot: { retriever: 'fixed', k: 5 },
  evaluator: () => accuracyEvaluator(),
  openCompass: { abbr: (s) => MMLU_ABBR_PREFIX + s.subset, groups: MMLU_GROUPS, headline: ['mmlu'] },
};
