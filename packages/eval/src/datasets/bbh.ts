/**
 * BIG-Bench Hard: `data/<task>.json` (`{examples: [{input, target}]}`) and the task's 3-shot
 * chain-of-thought prompt `cot-prompts/<task>.txt` (a canary line, `-----`, then the exemplars).
 * The prompt travels in `meta.cotPrompt`; `meta.bbhKind` says which OpenCompass rule scores it.
 */
import { join } from 'node:path';
import { bbhEvaluator } from '../evaluators/evaluators.js';
import { BBH_FREEFORM_TASKS, BBH_MCQ_TASKS } from '../extract/bbh.js';
import { bbhTemplate } from '../prompts/templates.js';
import type { DatasetDef, EvalSample, LoadOptions } from '../types.js';
import { applyLimit, badRecord, pickSubsets, readDataFile } from './files.js';
import { BBH_ABBR_PREFIX, BBH_GROUPS } from './summaryGroups.js';

const HOW =
  'Clone https://github.com/suzgunmirac/BIG-Bench-Hard and copy bbh/*.json to <root>/bbh/data/ and cot-prompts/*.txt to <root>/bbh/cot-prompts/.';

export const BBH_TASKS: readonly string[] = [...BBH_MCQ_TASKS, ...BBH_FREEFORM_TASKS].sort();

/** The exemplar text of a CoT prompt file, without the canary header. */
export function stripCanary(text: string): string {
  const sep = text.indexOf('\n-----\n');
  return (sep >= 0 ? text.slice(sep + 7) : text).trim();
}

async function load(opts: LoadOptions): Promise<EvalSample[]> {
  const tasks = pickSubsets(BBH_TASKS, opts.subsets, 'bbh');
  const out: EvalSample[] = [];
  for (const task of tasks) {
    const dataPath = join(opts.root, 'bbh', 'data', `${task}.json`);
    const promptPath = join(opts.root, 'bbh', 'cot-prompts', `${task}.txt`);
    const data = JSON.parse(await readDataFile(dataPath, 'bbh', HOW)) as { examples?: { input: string; target: string }[] };
    if (!Array.isArray(data.examples)) throw badRecord('bbh', dataPath, 'expected {"examples": [...]}');
    const cotPrompt = stripCanary(await readDataFile(promptPath, 'bbh', HOW));
    const bbhKind = BBH_MCQ_TASKS.includes(task) ? 'mcq' : 'freeform';
    data.examples.forEach((e, i) => {
      out.push({ id: `bbh/${task}/${i}`, dataset: 'bbh', subset: task, question: e.input, gold: e.target, meta: { cotPrompt, bbhKind } });
    });
  }
  // BBH's headline is the unweighted mean over tasks: an equal share per task.
  return applyLimit(out, opts, 'equal');
}

export const bbh: DatasetDef = {
  name: 'bbh',
  kind: 'gen',
  description: 'BIG-Bench Hard: 27 tasks, 6,511 examples, each with its 3-shot chain-of-thought prompt.',
  dirName: 'bbh',
  subsets: BBH_TASKS,
  howToObtain: HOW,
  load,
  template: bbhTemplate,
  // The exemplars are the task's fixed CoT prompt, rendered by the template (meta.cotPrompt).
  fewShot: { retriever: 'zero', k: 0 },
  evaluator: () => bbhEvaluator(),
  openCompass: { abbr: (s) => BBH_ABBR_PREFIX + s.subset, groups: BBH_GROUPS, headline: ['bbh'] },
};
