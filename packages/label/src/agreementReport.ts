import type { Kysely } from 'kysely';
import { cohenKappa, fleissKappa, rankingTau } from './agreement.js';
import type { LabelDatabase } from './db/schema.js';
import { loadProjectRecords } from './io/exportRecords.js';
import type { DialogueResult } from './shapes.js';
import type { Project } from './store/projects.js';

export interface AgreementReport {
  questions: {
    questionId: string;
    scope: string;
    cohen: { a: string; b: string; kappa: number | null; n: number }[];
    fleiss: number | null;
    n: number;
  }[];
  ranking: { kendallTau: number | null; pairs: number };
}

const label = (a: string | string[]) => (Array.isArray(a) ? [...a].sort().join('|') : a);

/**
 * Agreement over submitted dialogue annotations. A unit is (item) for conversation-level
 * questions and (item, message) for message-level ones; a multiple-choice answer counts as the
 * set it picks. Text questions are left out (no categories). Cohen's kappa per annotator pair on
 * their shared units; Fleiss' kappa on units with exactly `annotatorsPerItem` (≥ 2) answers;
 * Kendall's tau-b averaged over every pair of rankings of the same item.
 */
export async function agreementOf(db: Kysely<LabelDatabase>, project: Project): Promise<AgreementReport> {
  const records = await loadProjectRecords(db, project.id);
  const questions: AgreementReport['questions'] = [];
  for (const q of project.schema.questions) {
    if (q.kind === 'text') continue;
    const units = new Map<string, Map<string, string>>();
    for (const rec of records)
      for (const a of rec.annotations) {
        const r = a.task.result;
        if (a.task.status !== 'submitted' || r?.kind !== 'dialogue') continue;
        const answers: [string, string | string[] | undefined][] =
          q.scope === 'conversation'
            ? [[`${rec.item.id}`, r.conversationAnswers[q.id]]]
            : Object.entries(r.messageAnswers).map(([m, v]) => [`${rec.item.id}/${m}`, v[q.id]]);
        for (const [unit, v] of answers) {
          if (v === undefined) continue;
          const m = units.get(unit) ?? new Map<string, string>();
          m.set(a.annotator, label(v));
          units.set(unit, m);
        }
      }
    const raters = [...new Set([...units.values()].flatMap((m) => [...m.keys()]))].sort();
    const cohen: AgreementReport['questions'][number]['cohen'] = [];
    for (let i = 0; i < raters.length; i++)
      for (let j = i + 1; j < raters.length; j++) {
        const a: string[] = [];
        const b: string[] = [];
        for (const m of units.values()) {
          const x = m.get(raters[i] as string);
          const y = m.get(raters[j] as string);
          if (x === undefined || y === undefined) continue;
          a.push(x);
          b.push(y);
        }
        if (a.length) cohen.push({ a: raters[i] as string, b: raters[j] as string, kappa: cohenKappa(a, b), n: a.length });
      }
    const k = project.annotatorsPerItem;
    const full = [...units.values()].filter((m) => m.size === k).map((m) => [...m.values()]);
    questions.push({ questionId: q.id, scope: q.scope, cohen, fleiss: k >= 2 && full.length ? fleissKappa(full) : null, n: units.size });
  }
  let sum = 0;
  let pairs = 0;
  for (const rec of records) {
    const rankings = rec.annotations.flatMap((a) =>
      a.task.status === 'submitted' && (a.task.result as DialogueResult | null)?.ranking
        ? [(a.task.result as DialogueResult).ranking as string[]]
        : [],
    );
    for (let i = 0; i < rankings.length; i++)
      for (let j = i + 1; j < rankings.length; j++) {
        const t = rankingTau(rankings[i] as string[], rankings[j] as string[]);
        if (t === null) continue;
        sum += t;
        pairs++;
      }
  }
  return { questions, ranking: { kendallTau: pairs ? sum / pairs : null, pairs } };
}
