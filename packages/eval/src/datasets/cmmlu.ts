/** CMMLU: per-subject CSVs with header `,Question,A,B,C,D,Answer` (first column an unnamed index). */
import { accuracyEvaluator } from '../evaluators/evaluators.js';
import { cmmluTemplate } from '../prompts/templates.js';
import type { DatasetDef } from '../types.js';
import { CMMLU_SUBJECTS_ZH } from './cmmluSubjects.js';
import { badRecord } from './files.js';
import { type CsvRow, letterAnswer, loadMcqCsv, type McqCsvSpec } from './mcqCsv.js';
import { CMMLU_ABBR_PREFIX, CMMLU_GROUPS } from './summaryGroups.js';

const HOW = 'Download https://github.com/haonan-li/CMMLU (data/dev and data/test) into <root>/cmmlu/{dev,test}/.';

function rows(table: string[][], where: string): CsvRow[] {
  const header = table[0]?.map((c) => c.trim());
  const q = header?.indexOf('Question') ?? -1;
  const a = header?.indexOf('Answer') ?? -1;
  if (q < 0 || a < 0) throw badRecord('cmmlu', where, 'expected a header with Question, A, B, C, D, Answer');
  return table.slice(1).map((r, i) => {
    const at = `${where} row ${i + 1}`;
    if (r.length < a + 1) throw badRecord('cmmlu', at, `expected ${header!.length} columns, found ${r.length}`);
    return {
      key: q > 0 && r[0].trim() ? r[0].trim() : String(i),
      question: r[q],
      choices: r.slice(q + 1, q + 5),
      answer: letterAnswer(r[a], 'cmmlu', at),
    };
  });
}

export const cmmluSpec: McqCsvSpec = {
  dataset: 'cmmlu',
  dirName: 'cmmlu',
  howToObtain: HOW,
  fileName: (subject) => `${subject}.csv`,
  subjectOf: (file) => file.slice(0, -'.csv'.length),
  rows,
  meta: async (subject) => (CMMLU_SUBJECTS_ZH[subject] ? { subjectZh: CMMLU_SUBJECTS_ZH[subject] } : {}),
};

export const cmmlu: DatasetDef = {
  name: 'cmmlu',
  kind: 'mcq',
  description: 'CMMLU: 67 Chinese subjects, 11,582 test questions, 5-shot from dev.',
  dirName: 'cmmlu',
  howToObtain: HOW,
  load: (opts) => loadMcqCsv(cmmluSpec, opts, opts.split ?? 'test'),
  loadFewShotPool: (opts) => loadMcqCsv(cmmluSpec, { ...opts, limit: undefined }, 'dev', false),
  template: cmmluTemplate,
  fewShot: { retriever: 'fixed', k: 5 },
  evaluator: () => accuracyEvaluator(),
  openCompass: { abbr: (s) => CMMLU_ABBR_PREFIX + s.subset, groups: CMMLU_GROUPS, headline: ['cmmlu'] },
};
