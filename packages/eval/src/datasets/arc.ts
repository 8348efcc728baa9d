import { join } from 'node:path';
import { parseJsonl } from '@puyu/core';
import { accuracyEvaluator } from '../evaluators/evaluators.js';
import { arcTemplate } from '../prompts/templates.js';
import { type DatasetDef, type EvalSample, type LoadOptions, OPTION_LABELS } from '../types.js';
import { applyLimit, badRecord, readDataFile } from './files.js';

const HOW =
  'Download ARC-V1-Feb2018 from https://allenai.org/data/arc and copy ARC-Challenge/ARC-Challenge-{Test,Dev}.jsonl into <root>/arc/.';

interface Row {
  id?: string;
  question?: { stem?: string; choices?: { text: string; label: string }[] };
  answerKey?: string;
}

async function read(opts: LoadOptions, split: string): Promise<EvalSample[]> {
  const file = `ARC-Challenge-${split[0].toUpperCase()}${split.slice(1)}.jsonl`;
  const path = join(opts.root, 'arc', file);
  const rows = parseJsonl<Row>(await readDataFile(path, 'arc-challenge', HOW), path);
  return rows.map((r, i) => {
    const choices = r.question?.choices;
    if (!r.id || !r.question?.stem || !choices?.length || !r.answerKey)
      throw badRecord('arc-challenge', `${path}:${i + 1}`, 'needs id, question.stem, question.choices and answerKey');
    // The official files label a few questions 1-4 instead of A-D; map both to letters by position.
    const at = choices.findIndex((c) => c.label === r.answerKey);
    if (at < 0) throw badRecord('arc-challenge', `${path}:${i + 1}`, `answerKey ${r.answerKey} is not a choice label`);
    return {
      id: `arc-challenge/${r.id}`,
      dataset: 'arc-challenge',
      question: r.question.stem,
      choices: choices.map((c) => c.text),
      gold: OPTION_LABELS[at],
      meta: { originalLabels: choices.map((c) => c.label) },
    };
  });
}

export const arcChallenge: DatasetDef = {
  name: 'arc-challenge',
  kind: 'mcq',
  description: 'AI2 Reasoning Challenge, Challenge set (3-5 options).',
  dirName: 'arc',
  howToObtain: HOW,
  load: async (opts: LoadOptions) => applyLimit(await read(opts, opts.split ?? 'test'), opts),
  loadFewShotPool: (opts) => read(opts, 'dev'),
  template: arcTemplate,
  fewShot: { retriever: 'zero', k: 0 },
  evaluator: () => accuracyEvaluator(),
  openCompass: { abbr: () => 'ARC-c' },
};
