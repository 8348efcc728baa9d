import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { LabelDatabase } from '../db/schema.js';
import { LabelError } from '../errors.js';
import type { FileStore } from '../store/fileStore.js';
import type { Session, User } from '../store/users.js';

export interface LabelEnv {
  Variables: { session: Session | null };
}

export type LabelHono = OpenAPIHono<LabelEnv>;

/** What the route modules share: the database, the file store and the server's options. */
export interface LabelContext {
  db: Kysely<LabelDatabase>;
  files: FileStore;
  basePath: string;
  secureCookies: boolean;
  loginLimit: { max: number; windowMs: number };
  /** The largest JSON or upload body accepted, in bytes. */
  maxBodyBytes: number;
}

export function currentUser(c: Context<LabelEnv>): User {
  const s = c.get('session');
  if (!s) throw new LabelError('LABEL_UNAUTHENTICATED', 'log in first');
  return s.user;
}

export function requireRole(c: Context<LabelEnv>, ...roles: User['role'][]): User {
  const user = currentUser(c);
  if (!roles.includes(user.role))
    throw new LabelError('LABEL_FORBIDDEN', `this needs the ${roles.join(' or ')} role; you are ${user.role}`);
  return user;
}

export const SESSION_COOKIE = 'puyu_label_session';
export const CSRF_HEADER = 'X-CSRF-Token';
