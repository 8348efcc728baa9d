import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { LabelDatabase, TaskStatus, TaskTable } from '../db/schema.js';
import { LabelError } from '../errors.js';
import type { AnnotationResult } from '../shapes.js';
import { assertProjectAccess, getItem, getProject, type Item } from './projects.js';
import { nowIso } from './time.js';
import type { User } from './users.js';
import { checkResult } from './validateResult.js';

type Db = Kysely<LabelDatabase>;

export interface Task {
  id: number;
  projectId: number;
  itemId: number;
  userId: number;
  status: TaskStatus;
  expiresAt: string;
  version: number;
  result: AnnotationResult | null;
  submittedAt: string | null;
  updatedAt: string;
}

export interface Review {
  id: number;
  taskId: number;
  reviewerId: number;
  verdict: 'approved' | 'rejected';
  comment: string;
  result: AnnotationResult | null;
  createdAt: string;
}

export function toTask(r: Omit<TaskTable, 'id'> & { id: number }): Task {
  return {
    id: r.id,
    projectId: r.project_id,
    itemId: r.item_id,
    userId: r.user_id,
    status: r.status,
    expiresAt: r.expires_at,
    version: r.version,
    result: r.result === null ? null : (JSON.parse(r.result) as AnnotationResult),
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
  };
}

/** Marks assigned tasks past their expiry as expired, so their items go back to the pool. */
export async function expireTasks(db: Db, projectId: number, now = Date.now()): Promise<void> {
  await db
    .updateTable('tasks')
    .set((eb) => ({ status: 'expired', version: eb('version', '+', 1), updated_at: nowIso(now) }))
    .where('project_id', '=', projectId)
    .where('status', '=', 'assigned')
    .where('expires_at', '<', nowIso(now))
    .execute();
}

/**
 * Hands the user their open task in the project, or assigns the next item that still has fewer
 * than `annotatorsPerItem` live (assigned or submitted) tasks and none of theirs. In one
 * transaction; on PostgreSQL the project row is locked so two annotators asking at once cannot
 * both take an item's last slot (SQLite transactions are serialised already).
 */
export async function nextTask(
  db: Db,
  user: User,
  projectId: number,
  now = Date.now(),
): Promise<{ task: Task; item: Item; lastReview?: Review } | null> {
  const project = await assertProjectAccess(db, user, projectId);
  if (user.role === 'reviewer') throw new LabelError('LABEL_FORBIDDEN', 'reviewers review; ask for /reviews/next instead');
  await expireTasks(db, projectId, now);
  const row = await db.transaction().execute(async (trx) => {
    if (trx.getExecutor().adapter instanceof PostgresAdapter)
      await sql`select id from projects where id = ${projectId} for update`.execute(trx);
    const open = await trx
      .selectFrom('tasks')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('user_id', '=', user.id)
      .where('status', '=', 'assigned')
      .orderBy('id')
      .executeTakeFirst();
    if (open) return open;
    const item = await trx
      .selectFrom('items')
      .select('items.id')
      .where('items.project_id', '=', projectId)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('tasks').select('tasks.id').whereRef('tasks.item_id', '=', 'items.id').where('tasks.user_id', '=', user.id),
          ),
        ),
      )
      .where(
        (eb) =>
          eb
            .selectFrom('tasks')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('tasks.item_id', '=', 'items.id')
            .where('tasks.status', 'in', ['assigned', 'submitted']),
        '<',
        project.annotatorsPerItem,
      )
      .orderBy('items.id')
      .executeTakeFirst();
    if (!item) return null;
    return trx
      .insertInto('tasks')
      .values({
        project_id: projectId,
        item_id: item.id,
        user_id: user.id,
        status: 'assigned',
        expires_at: nowIso(now + project.expiryMinutes * 60_000),
        version: 1,
        result: null,
        submitted_at: null,
        created_at: nowIso(now),
        updated_at: nowIso(now),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  if (!row) return null;
  const task = toTask(row);
  // A task sent back by a reviewer comes with that review, so the annotator sees why.
  const review = await db.selectFrom('reviews').selectAll().where('task_id', '=', task.id).orderBy('id', 'desc').executeTakeFirst();
  return { task, item: await getItem(db, task.itemId), ...(review ? { lastReview: toReview(review) } : {}) };
}

export async function getTask(db: Db, id: number): Promise<Task> {
  const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new LabelError('LABEL_NOT_FOUND', `no task ${id}`);
  return toTask(row);
}

export async function listTasks(db: Db, user: User, projectId: number, mineOnly: boolean): Promise<Task[]> {
  await assertProjectAccess(db, user, projectId);
  let q = db.selectFrom('tasks').selectAll().where('project_id', '=', projectId).orderBy('id');
  if (mineOnly || user.role === 'annotator') q = q.where('user_id', '=', user.id);
  return (await q.execute()).map(toTask);
}

/**
 * Saves (draft) or submits the assignee's annotation. Optimistic locking: the UPDATE only
 * matches the version the client read, so of two concurrent saves exactly one wins and the
 * other gets LABEL_VERSION_CONFLICT with nothing lost silently.
 */
export async function saveTask(
  db: Db,
  user: User,
  taskId: number,
  body: { version: number; result: AnnotationResult; submit: boolean },
  now = Date.now(),
): Promise<Task> {
  const task = await getTask(db, taskId);
  if (task.userId !== user.id) throw new LabelError('LABEL_FORBIDDEN', `task ${taskId} is assigned to someone else`);
  if (task.status === 'expired' || task.status === 'skipped' || (task.status === 'assigned' && task.expiresAt < nowIso(now)))
    throw new LabelError('LABEL_TASK_EXPIRED', `task ${taskId} expired at ${task.expiresAt}; ask for the next task`);
  const project = await getProject(db, task.projectId);
  const item = await getItem(db, task.itemId);
  checkResult(project, item, body.result, body.submit);
  const r = await db
    .updateTable('tasks')
    .set({
      result: JSON.stringify(body.result),
      status: body.submit ? 'submitted' : task.status,
      submitted_at: body.submit ? nowIso(now) : task.submittedAt,
      version: body.version + 1,
      updated_at: nowIso(now),
    })
    .where('id', '=', taskId)
    .where('version', '=', body.version)
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) {
    const current = await getTask(db, taskId);
    throw new LabelError(
      'LABEL_VERSION_CONFLICT',
      `task ${taskId} is at version ${current.version}, not ${body.version}: reload it and save again`,
      {
        details: { task: current },
      },
    );
  }
  return getTask(db, taskId);
}

export async function skipTask(db: Db, user: User, taskId: number, now = Date.now()): Promise<Task> {
  const task = await getTask(db, taskId);
  if (task.userId !== user.id) throw new LabelError('LABEL_FORBIDDEN', `task ${taskId} is assigned to someone else`);
  if (task.status !== 'assigned') throw new LabelError('LABEL_TASK_EXPIRED', `task ${taskId} is ${task.status}, not open`);
  await db
    .updateTable('tasks')
    .set({ status: 'skipped', version: task.version + 1, updated_at: nowIso(now) })
    .where('id', '=', taskId)
    .where('version', '=', task.version)
    .execute();
  return getTask(db, taskId);
}

/**
 * Reassignment by an admin: an open task is expired now, so its item goes back to the pool for
 * the next annotator who asks (the old assignee's draft stays on the expired task, for the audit).
 */
export async function releaseTask(db: Db, user: User, taskId: number, now = Date.now()): Promise<Task> {
  if (user.role !== 'admin') throw new LabelError('LABEL_FORBIDDEN', 'only admins reassign tasks');
  const task = await getTask(db, taskId);
  if (task.status !== 'assigned')
    throw new LabelError('LABEL_BAD_REQUEST', `task ${taskId} is ${task.status}; only open tasks are reassigned`);
  const r = await db
    .updateTable('tasks')
    .set({ status: 'expired', expires_at: nowIso(now), version: task.version + 1, updated_at: nowIso(now) })
    .where('id', '=', taskId)
    .where('version', '=', task.version)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1)
    throw new LabelError('LABEL_VERSION_CONFLICT', `task ${taskId} changed while it was being reassigned; try again`);
  return getTask(db, taskId);
}

/** The next submitted task that has no review since it was (re)submitted, not the reviewer's own. */
export async function nextReview(db: Db, user: User, projectId: number): Promise<{ task: Task; item: Item; annotator: string } | null> {
  await assertProjectAccess(db, user, projectId);
  if (user.role === 'annotator') throw new LabelError('LABEL_FORBIDDEN', 'only reviewers and admins review');
  const row = await db
    .selectFrom('tasks')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('status', '=', 'submitted')
    .where('user_id', '!=', user.id)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('reviews')
            .select('reviews.id')
            .whereRef('reviews.task_id', '=', 'tasks.id')
            .whereRef('reviews.created_at', '>=', 'tasks.submitted_at'),
        ),
      ),
    )
    .orderBy('id')
    .executeTakeFirst();
  if (!row) return null;
  const task = toTask(row);
  // the annotator's name: reviewers may not list users, but they should know whose work it is
  const who = await db.selectFrom('users').select('name').where('id', '=', task.userId).executeTakeFirst();
  return { task, item: await getItem(db, task.itemId), annotator: who?.name ?? `#${task.userId}` };
}

/** Records a verdict; a rejected task goes back to its annotator, open again for the project's expiry time. */
export async function reviewTask(
  db: Db,
  user: User,
  taskId: number,
  body: { verdict: 'approved' | 'rejected'; comment?: string; result?: AnnotationResult },
  now = Date.now(),
): Promise<Review> {
  const task = await getTask(db, taskId);
  const project = await assertProjectAccess(db, user, task.projectId);
  if (user.role === 'annotator') throw new LabelError('LABEL_FORBIDDEN', 'only reviewers and admins review');
  if (task.status !== 'submitted')
    throw new LabelError('LABEL_BAD_REQUEST', `task ${taskId} is ${task.status}; only submitted tasks are reviewed`);
  if (body.result) checkResult(project, await getItem(db, task.itemId), body.result, true);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('reviews')
      .values({
        task_id: taskId,
        reviewer_id: user.id,
        verdict: body.verdict,
        comment: body.comment ?? '',
        result: body.result ? JSON.stringify(body.result) : null,
        created_at: nowIso(now),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (body.verdict === 'rejected')
      await trx
        .updateTable('tasks')
        .set({
          status: 'assigned',
          version: task.version + 1,
          expires_at: nowIso(now + project.expiryMinutes * 60_000),
          updated_at: nowIso(now),
        })
        .where('id', '=', taskId)
        .execute();
    return toReview(row);
  });
}

export function toReview(r: {
  id: number;
  task_id: number;
  reviewer_id: number;
  verdict: 'approved' | 'rejected';
  comment: string;
  result: string | null;
  created_at: string;
}): Review {
  return {
    id: r.id,
    taskId: r.task_id,
    reviewerId: r.reviewer_id,
    verdict: r.verdict,
    comment: r.comment,
    result: r.result === null ? null : (JSON.parse(r.result) as AnnotationResult),
    createdAt: r.created_at,
  };
}
