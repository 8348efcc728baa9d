import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { LabelDatabase, Role } from '../db/schema.js';
import { LabelError } from '../errors.js';
import { nowIso } from './time.js';

export interface User {
  id: number;
  name: string;
  role: Role;
  disabled: boolean;
}

export interface Session {
  user: User;
  csrfToken: string;
}

const SESSION_HOURS = 12;
// argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane): memory-hard so a stolen hash is costly to brute-force.
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

const tokenId = (token: string) => createHash('sha256').update(token).digest('hex');

function toUser(r: { id: number; name: string; role: Role; disabled: number }): User {
  return { id: r.id, name: r.name, role: r.role, disabled: r.disabled !== 0 };
}

export async function createUser(db: Kysely<LabelDatabase>, name: string, role: Role, password: string): Promise<User> {
  checkPassword(password);
  if (!/^[\p{L}\p{N}_.@-]{1,64}$/u.test(name))
    throw new LabelError('LABEL_BAD_REQUEST', `user name ${JSON.stringify(name)} must be 1–64 letters, digits, _ . @ or -`);
  const password_hash = await hash(password, ARGON2);
  const existing = await db.selectFrom('users').select('id').where('name', '=', name).executeTakeFirst();
  if (existing) throw new LabelError('LABEL_DUPLICATE', `a user named ${name} already exists`);
  const row = await db
    .insertInto('users')
    .values({ name, role, password_hash, disabled: 0, created_at: nowIso() })
    .returning(['id', 'name', 'role', 'disabled'])
    .executeTakeFirstOrThrow();
  return toUser(row);
}

/** Creates the user, or sets the role and password of an existing one (the CLI's `user add`). */
export async function upsertUser(db: Kysely<LabelDatabase>, name: string, role: Role, password: string): Promise<User> {
  const existing = await db.selectFrom('users').select('id').where('name', '=', name).executeTakeFirst();
  if (!existing) return createUser(db, name, role, password);
  return updateUser(db, existing.id, { role, password, disabled: false });
}

export async function updateUser(
  db: Kysely<LabelDatabase>,
  id: number,
  patch: { role?: Role; password?: string; disabled?: boolean },
): Promise<User> {
  const values: Partial<{ role: Role; password_hash: string; disabled: number }> = {};
  if (patch.role) values.role = patch.role;
  if (patch.password !== undefined) {
    checkPassword(patch.password);
    values.password_hash = await hash(patch.password, ARGON2);
  }
  if (patch.disabled !== undefined) values.disabled = patch.disabled ? 1 : 0;
  if (Object.keys(values).length) await db.updateTable('users').set(values).where('id', '=', id).execute();
  if (patch.password !== undefined || patch.disabled) await db.deleteFrom('sessions').where('user_id', '=', id).execute();
  return getUser(db, id);
}

export async function getUser(db: Kysely<LabelDatabase>, id: number): Promise<User> {
  const row = await db.selectFrom('users').select(['id', 'name', 'role', 'disabled']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LabelError('LABEL_NOT_FOUND', `no user ${id}`);
  return toUser(row);
}

export async function listUsers(db: Kysely<LabelDatabase>): Promise<User[]> {
  return (await db.selectFrom('users').select(['id', 'name', 'role', 'disabled']).orderBy('id').execute()).map(toUser);
}

function checkPassword(password: string): void {
  if (password.length < 8 || password.length > 1024)
    throw new LabelError('LABEL_BAD_REQUEST', 'a password must be 8 to 1024 characters long');
}

/** Verifies the password and opens a session; the returned token goes into the HttpOnly cookie. */
export async function login(db: Kysely<LabelDatabase>, name: string, password: string): Promise<{ token: string; session: Session }> {
  const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
  // Verify against a dummy hash when the user is unknown, so timing does not tell which names exist.
  const ok = await verify(row?.password_hash ?? (await dummyHash()), password).catch(() => false);
  if (!row || !ok || row.disabled) throw new LabelError('LABEL_BAD_LOGIN', 'wrong user name or password');
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const now = Date.now();
  // Expired sessions are swept here, so the table does not grow with every login ever made.
  await db.deleteFrom('sessions').where('expires_at', '<', nowIso(now)).execute();
  await db
    .insertInto('sessions')
    .values({
      id: tokenId(token),
      user_id: row.id,
      csrf_token: csrfToken,
      created_at: nowIso(now),
      expires_at: nowIso(now + SESSION_HOURS * 3600_000),
    })
    .execute();
  return { token, session: { user: toUser(row), csrfToken } };
}

export async function sessionOf(db: Kysely<LabelDatabase>, token: string): Promise<Session | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.name', 'users.role', 'users.disabled', 'sessions.csrf_token', 'sessions.expires_at'])
    .where('sessions.id', '=', tokenId(token))
    .executeTakeFirst();
  if (!row || row.disabled || row.expires_at < nowIso()) return null;
  return { user: toUser(row), csrfToken: row.csrf_token };
}

export async function logout(db: Kysely<LabelDatabase>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', tokenId(token)).execute();
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hash(randomBytes(16).toString('hex'), ARGON2);
  return dummy;
}
