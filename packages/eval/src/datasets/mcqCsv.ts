/**
 * Shared reader for the per-subject multiple-choice CSV benchmarks (MMLU, CMMLU, C-Eval): one
 * file per subject and split, four options, a letter answer.
 */
import { join } from 'node:path';
import { type EvalSample, type LoadOptions, OPTION_LABELS } from '../types.js';
import { parseCsv } from './csv.js';
import { applyLimit, badRecord, listCsv, pickSubsets, readDataFile } from './files.js';

export interface CsvRow {
  /** Stable id within the subject (row index or the file's own id column). */
  key: string;
  question: string;
  choices: string[];
  /** Letter A-D, or '' when the split has no public answers. */
  answer: string;
  extra?: Record<string, unknown>;
}

export interface McqCsvSpec {
  dataset: string;
  dirName: string;
  howToObtain: string;
  /** File name for a subject and split, and the reverse (subject from a file name, or null). */
  fileName(subject: string, split: string): string;
  subjectOf(file: string, split: string): string | null;
  /** Turns the parsed rows of one file into records (handles headers and answer encodings). */
  rows(table: string[][], where: string): CsvRow[];
  meta?(subject: string, root: string): Promise<Record<string, unknown>>;
}

export function letterAnswer(raw: string, dataset: string, where: string): string {
  const a = raw.trim();
  if (/^[A-D]$/.test(a)) return a;
  if (/^[0-3]$/.test(a)) return OPTION_LABELS[Number(a)];
  throw badRecord(dataset, where, `answer "${raw}" is neither a letter A-D nor an index 0-3`);
}

export function subjectsIn(spec: McqCsvSpec, root: string, split: string): string[] {
  const dir = join(root, spec.dirName, split);
  return listCsv(dir, spec.dataset, spec.howToObtain)
    .map((f) => spec.subjectOf(f, split))
    .filter((s): s is string => s !== null);
}

export async function loadMcqCsv(spec: McqCsvSpec, opts: LoadOptions, split: string, limit = true): Promise<EvalSample[]> {
  const subjects = pickSubsets(subjectsIn(spec, opts.root, split), opts.subsets, spec.dataset);
  const out: EvalSample[] = [];
  for (const subject of subjects) {
    const path = join(opts.root, spec.dirName, split, spec.fileName(subject, split));
    const table = parseCsv(await readDataFile(path, spec.dataset, spec.howToObtain));
    const meta = (await spec.meta?.(subject, opts.root)) ?? {};
    for (const r of spec.rows(table, path)) {
      out.push({
        id: `${spec.dataset}/${subject}/${split}/${r.key}`,
        dataset: spec.dataset,
        subset: subject,
        question: r.question,
        choices: r.choices,
        gold: r.answer,
        meta: { ...meta, ...r.extra },
      });
    }
  }
  // Their headline is the unweighted mean over subjects, so a limit gives every subject an equal share.
  return limit ? applyLimit(out, opts, 'equal') : out;
}
