import type { Kysely } from 'kysely';
import type { LabelDatabase } from '../db/schema.js';
import { loadProjectRecords } from '../io/exportRecords.js';
import type { Project } from './projects.js';

export interface Progress {
  items: number;
  tasks: Record<string, number>;
  reviewed: { approved: number; rejected: number };
  /** Items with `annotatorsPerItem` submitted annotations. */
  complete: number;
  perUser: { userId: number; name: string; submitted: number; approved: number; rejected: number }[];
}

/** Progress of a project: counts by task status, latest review verdicts, complete items and per-user totals. */
export async function progressOf(db: Kysely<LabelDatabase>, project: Project): Promise<Progress> {
  const counts = await db
    .selectFrom('tasks')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('project_id', '=', project.id)
    .groupBy('status')
    .execute();
  const tasks: Record<string, number> = { assigned: 0, submitted: 0, expired: 0, skipped: 0 };
  for (const r of counts) tasks[r.status] = Number(r.n);
  const records = await loadProjectRecords(db, project.id);
  const perUser = new Map<string, Progress['perUser'][number]>();
  const reviewed = { approved: 0, rejected: 0 };
  let complete = 0;
  for (const rec of records) {
    let submitted = 0;
    for (const a of rec.annotations) {
      const u = perUser.get(a.annotator) ?? { userId: a.task.userId, name: a.annotator, submitted: 0, approved: 0, rejected: 0 };
      perUser.set(a.annotator, u);
      if (a.task.status === 'submitted') {
        submitted++;
        u.submitted++;
      }
      const last = a.reviews.at(-1);
      if (last) {
        reviewed[last.verdict]++;
        u[last.verdict]++;
      }
    }
    if (submitted >= project.annotatorsPerItem) complete++;
  }
  return { items: records.length, tasks, reviewed, complete, perUser: [...perUser.values()] };
}
