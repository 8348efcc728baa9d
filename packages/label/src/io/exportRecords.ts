import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { LabelDatabase, TaskStatus } from '../db/schema.js';
import { LabelError } from '../errors.js';
import { type AnnotationResult, AnnotationResultSchema } from '../shapes.js';
import { type Item, toItem } from '../store/projects.js';
import { type Review, type Task, toReview, toTask } from '../store/tasks.js';
import { nowIso } from '../store/time.js';
import { createUser } from '../store/users.js';

/** One item with its annotations and their reviews, as every export reads it. */
export interface ItemRecord {
  item: Item;
  annotations: { task: Task; annotator: string; reviews: (Review & { reviewer: string })[] }[];
}

export interface ImportedAnnotation {
  annotator: string;
  status: TaskStatus;
  result: AnnotationResult | null;
  submittedAt: string | null;
  reviews?: { reviewer: string; verdict: 'approved' | 'rejected'; comment: string; result: AnnotationResult | null; createdAt: string }[];
}

type Db = Kysely<LabelDatabase>;

/** Items in id order (= import order), tasks and reviews in id order: exports are deterministic. */
export async function loadProjectRecords(db: Db, projectId: number): Promise<ItemRecord[]> {
  const items = await db.selectFrom('items').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
  const tasks = await db
    .selectFrom('tasks')
    .innerJoin('users', 'users.id', 'tasks.user_id')
    .selectAll('tasks')
    .select('users.name as annotator')
    .where('tasks.project_id', '=', projectId)
    .where('tasks.result', 'is not', null)
    .orderBy('tasks.id')
    .execute();
  const reviews = await db
    .selectFrom('reviews')
    .innerJoin('tasks', 'tasks.id', 'reviews.task_id')
    .innerJoin('users', 'users.id', 'reviews.reviewer_id')
    .selectAll('reviews')
    .select('users.name as reviewer')
    .where('tasks.project_id', '=', projectId)
    .orderBy('reviews.id')
    .execute();
  const byTask = new Map<number, (Review & { reviewer: string })[]>();
  for (const r of reviews) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), { ...toReview(r), reviewer: r.reviewer }]);
  const byItem = new Map<number, ItemRecord['annotations']>();
  for (const t of tasks)
    byItem.set(t.item_id, [...(byItem.get(t.item_id) ?? []), { task: toTask(t), annotator: t.annotator, reviews: byTask.get(t.id) ?? [] }]);
  return items.map((i) => ({ item: toItem(i), annotations: byItem.get(i.id) ?? [] }));
}

/** The raw / labels / audits line of one item; re-importing it with format 'puyu' gives back the same line. */
export function recordLine(rec: ItemRecord, level: 'raw' | 'labels' | 'audits'): string {
  const line: Record<string, unknown> = { key: rec.item.key, kind: rec.item.kind, data: rec.item.data };
  if (rec.item.preAnnotation !== null) line.preAnnotation = rec.item.preAnnotation;
  if (level !== 'raw')
    line.annotations = rec.annotations.map((a) => ({
      annotator: a.annotator,
      status: a.task.status,
      result: a.task.result,
      submittedAt: a.task.submittedAt,
      ...(level === 'audits'
        ? {
            reviews: a.reviews.map((r) => ({
              reviewer: r.reviewer,
              verdict: r.verdict,
              comment: r.comment,
              result: r.result,
              createdAt: r.createdAt,
            })),
          }
        : {}),
    }));
  return JSON.stringify(line);
}

const bad = (m: string) => new LabelError('LABEL_BAD_IMPORT', m);
const STATUSES: readonly TaskStatus[] = ['assigned', 'submitted', 'expired', 'skipped'];

export function parseExportedAnnotations(v: unknown): ImportedAnnotation[] {
  if (!Array.isArray(v)) throw bad('"annotations" is not an array');
  return v.map((a, i) => {
    if (typeof a !== 'object' || a === null) throw bad(`annotations[${i}] is not an object`);
    const o = a as Record<string, unknown>;
    if (typeof o.annotator !== 'string') throw bad(`annotations[${i}].annotator is not a string`);
    if (!STATUSES.includes(o.status as TaskStatus)) throw bad(`annotations[${i}].status is not a task status`);
    const result = o.result === null ? null : AnnotationResultSchema.safeParse(o.result);
    if (result && !result.success) throw bad(`annotations[${i}].result is not an annotation: ${result.error.issues[0]?.message ?? ''}`);
    const reviews = o.reviews === undefined ? undefined : parseReviews(o.reviews, i);
    return {
      annotator: o.annotator,
      status: o.status as TaskStatus,
      result: result ? result.data : null,
      submittedAt: typeof o.submittedAt === 'string' ? o.submittedAt : null,
      ...(reviews ? { reviews } : {}),
    };
  });
}

function parseReviews(v: unknown, i: number): NonNullable<ImportedAnnotation['reviews']> {
  if (!Array.isArray(v)) throw bad(`annotations[${i}].reviews is not an array`);
  return v.map((r, j) => {
    const o = (r ?? {}) as Record<string, unknown>;
    if (typeof o.reviewer !== 'string' || (o.verdict !== 'approved' && o.verdict !== 'rejected') || typeof o.createdAt !== 'string')
      throw bad(`annotations[${i}].reviews[${j}] needs reviewer, verdict (approved/rejected) and createdAt`);
    const result = o.result === null || o.result === undefined ? null : AnnotationResultSchema.safeParse(o.result);
    if (result && !result.success) throw bad(`annotations[${i}].reviews[${j}].result is not an annotation`);
    return {
      reviewer: o.reviewer,
      verdict: o.verdict,
      comment: typeof o.comment === 'string' ? o.comment : '',
      result: result ? result.data : null,
      createdAt: o.createdAt,
    };
  });
}

/**
 * Restores exported annotations on an item. Annotators and reviewers are matched by name; one
 * that does not exist here is created disabled (it cannot log in) so the labels keep who made them.
 */
export async function importAnnotations(db: Db, projectId: number, itemId: number, anns: ImportedAnnotation[]): Promise<void> {
  for (const a of anns) {
    const userId = await userIdFor(db, a.annotator, 'annotator');
    const now = nowIso();
    const task = await db
      .insertInto('tasks')
      .values({
        project_id: projectId,
        item_id: itemId,
        user_id: userId,
        status: a.status,
        expires_at: a.submittedAt ?? now,
        version: 1,
        result: a.result === null ? null : JSON.stringify(a.result),
        submitted_at: a.submittedAt,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['item_id', 'user_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!task) continue;
    for (const r of a.reviews ?? [])
      await db
        .insertInto('reviews')
        .values({
          task_id: task.id,
          reviewer_id: await userIdFor(db, r.reviewer, 'reviewer'),
          verdict: r.verdict,
          comment: r.comment,
          result: r.result === null ? null : JSON.stringify(r.result),
          created_at: r.createdAt,
        })
        .execute();
  }
}

async function userIdFor(db: Db, name: string, role: 'annotator' | 'reviewer'): Promise<number> {
  const row = await db.selectFrom('users').select('id').where('name', '=', name).executeTakeFirst();
  if (row) return row.id;
  const user = await createUser(db, name, role, randomBytes(24).toString('base64url'));
  await db.updateTable('users').set({ disabled: 1 }).where('id', '=', user.id).execute();
  return user.id;
}
