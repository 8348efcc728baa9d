import type { Kysely } from 'kysely';
import type { LabelDatabase, ProjectTable } from '../db/schema.js';
import { LabelError } from '../errors.js';
import { type ItemData, type ProjectSchema, ProjectSchemaSchema } from '../shapes.js';
import { nowIso } from './time.js';
import type { User } from './users.js';

export interface Project {
  id: number;
  name: string;
  kind: 'dialogue' | 'image';
  description: string;
  schema: ProjectSchema;
  annotatorsPerItem: number;
  expiryMinutes: number;
  createdAt: string;
}

export interface NewProject {
  name: string;
  kind: 'dialogue' | 'image';
  description?: string;
  schema: ProjectSchema;
  annotatorsPerItem?: number;
  expiryMinutes?: number;
}

export interface Item {
  id: number;
  projectId: number;
  key: string;
  kind: 'dialogue' | 'image';
  data: ItemData;
  preAnnotation: unknown;
  createdAt: string;
}

type Db = Kysely<LabelDatabase>;

function toProject(r: Omit<ProjectTable, 'id'> & { id: number }): Project {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    description: r.description,
    schema: ProjectSchemaSchema.parse(JSON.parse(r.schema)),
    annotatorsPerItem: r.annotators_per_item,
    expiryMinutes: r.expiry_minutes,
    createdAt: r.created_at,
  };
}

export async function createProject(db: Db, p: NewProject): Promise<Project> {
  if (await db.selectFrom('projects').select('id').where('name', '=', p.name).executeTakeFirst())
    throw new LabelError('LABEL_DUPLICATE', `a project named ${JSON.stringify(p.name)} already exists`);
  const row = await db
    .insertInto('projects')
    .values({
      name: p.name,
      kind: p.kind,
      description: p.description ?? '',
      schema: JSON.stringify(p.schema),
      annotators_per_item: p.annotatorsPerItem ?? 1,
      expiry_minutes: p.expiryMinutes ?? 60,
      created_at: nowIso(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toProject(row);
}

export async function updateProject(db: Db, id: number, patch: Partial<Omit<NewProject, 'kind'>>): Promise<Project> {
  const set: Partial<Omit<ProjectTable, 'id'>> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.schema !== undefined) set.schema = JSON.stringify(patch.schema);
  if (patch.annotatorsPerItem !== undefined) set.annotators_per_item = patch.annotatorsPerItem;
  if (patch.expiryMinutes !== undefined) set.expiry_minutes = patch.expiryMinutes;
  await getProject(db, id);
  if (Object.keys(set).length) await db.updateTable('projects').set(set).where('id', '=', id).execute();
  return getProject(db, id);
}

export async function getProject(db: Db, id: number): Promise<Project> {
  const row = await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new LabelError('LABEL_NOT_FOUND', `no project ${id}`);
  return toProject(row);
}

export async function listProjects(db: Db, user: User): Promise<Project[]> {
  let q = db.selectFrom('projects').selectAll().orderBy('id');
  if (user.role !== 'admin') q = q.where('id', 'in', db.selectFrom('members').select('project_id').where('user_id', '=', user.id));
  return (await q.execute()).map(toProject);
}

/** Throws 404 for a missing project and 403 when a non-admin is not a member. */
export async function assertProjectAccess(db: Db, user: User, projectId: number): Promise<Project> {
  const project = await getProject(db, projectId);
  if (user.role === 'admin') return project;
  const member = await db
    .selectFrom('members')
    .select('user_id')
    .where('project_id', '=', projectId)
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  if (!member) throw new LabelError('LABEL_FORBIDDEN', `you are not a member of project ${projectId}`);
  return project;
}

export async function addMember(db: Db, projectId: number, userId: number): Promise<void> {
  await getProject(db, projectId);
  await db
    .insertInto('members')
    .values({ project_id: projectId, user_id: userId })
    .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
    .execute();
}

export async function removeMember(db: Db, projectId: number, userId: number): Promise<void> {
  await db.deleteFrom('members').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
}

export async function listMembers(db: Db, projectId: number): Promise<User[]> {
  const rows = await db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['users.id', 'users.name', 'users.role', 'users.disabled'])
    .where('members.project_id', '=', projectId)
    .orderBy('users.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, disabled: r.disabled !== 0 }));
}

/** Inserts items keyed by `key`; an existing key is left as it is (re-importing a file is idempotent). Callers wrap it in a transaction. */
export async function insertItems(
  db: Db,
  projectId: number,
  items: { key: string; data: ItemData; preAnnotation?: unknown; createdAt?: string }[],
): Promise<number> {
  let inserted = 0;
  for (const it of items) {
    const r = await db
      .insertInto('items')
      .values({
        project_id: projectId,
        key: it.key,
        kind: it.data.kind,
        data: JSON.stringify(it.data),
        pre_annotation: it.preAnnotation === undefined ? null : JSON.stringify(it.preAnnotation),
        created_at: it.createdAt ?? nowIso(),
      })
      .onConflict((oc) => oc.columns(['project_id', 'key']).doNothing())
      .executeTakeFirst();
    inserted += Number(r.numInsertedOrUpdatedRows ?? 0n);
  }
  return inserted;
}

export function toItem(r: {
  id: number;
  project_id: number;
  key: string;
  kind: 'dialogue' | 'image';
  data: string;
  pre_annotation: string | null;
  created_at: string;
}): Item {
  return {
    id: r.id,
    projectId: r.project_id,
    key: r.key,
    kind: r.kind,
    data: JSON.parse(r.data) as ItemData,
    preAnnotation: r.pre_annotation === null ? null : JSON.parse(r.pre_annotation),
    createdAt: r.created_at,
  };
}

export async function getItem(db: Db, id: number): Promise<Item> {
  const row = await db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new LabelError('LABEL_NOT_FOUND', `no item ${id}`);
  return toItem(row);
}

export async function listItems(db: Db, projectId: number, offset: number, limit: number): Promise<{ items: Item[]; total: number }> {
  const rows = await db
    .selectFrom('items')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('id')
    .offset(offset)
    .limit(limit)
    .execute();
  const total = await db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  return { items: rows.map(toItem), total: Number(total.n) };
}

export async function updateItemData(db: Db, id: number, data: ItemData, preAnnotation?: unknown): Promise<void> {
  const set: { data: string; pre_annotation?: string } = { data: JSON.stringify(data) };
  if (preAnnotation !== undefined) set.pre_annotation = JSON.stringify(preAnnotation);
  await db.updateTable('items').set(set).where('id', '=', id).execute();
}
