import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { LabelError } from '../errors.js';
import { RoleSchema } from '../shapes.js';
import { createUser, listUsers, login, logout, updateUser } from '../store/users.js';
import { type LabelContext, type LabelHono, requireRole, SESSION_COOKIE } from './env.js';
import { jsonBody, jsonResponse, OkSchema, SessionSchema, UserParam, UserSchema } from './schemas.js';

/** Failed-login times per key (IP, name): a sliding window kept in memory (one server process owns its logins). */
class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(private readonly limit: { max: number; windowMs: number }) {}
  retryAfter(keys: string[], now = Date.now()): number {
    let wait = 0;
    for (const k of keys) {
      const recent = (this.failures.get(k) ?? []).filter((t) => t > now - this.limit.windowMs);
      this.failures.set(k, recent);
      if (recent.length >= this.limit.max) wait = Math.max(wait, (recent[0] as number) + this.limit.windowMs - now);
    }
    return Math.ceil(wait / 1000);
  }
  fail(keys: string[], now = Date.now()): void {
    for (const k of keys) this.failures.set(k, [...(this.failures.get(k) ?? []), now]);
  }
  clear(key: string): void {
    this.failures.delete(key);
  }
}

function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'local';
}

export function registerAuthRoutes(app: LabelHono, ctx: LabelContext): void {
  const limiter = new LoginLimiter(ctx.loginLimit);
  const tags = ['auth'];
  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/login',
      tags,
      summary: 'Log in; sets the HttpOnly session cookie and returns the CSRF token',
      request: jsonBody(z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(1024) })),
      responses: jsonResponse(SessionSchema, 'the session'),
    }),
    async (c) => {
      const { name, password } = c.req.valid('json');
      const keys = [`ip:${clientAddress(c)}`, `name:${name}`];
      const wait = limiter.retryAfter(keys);
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        throw new LabelError('LABEL_LOGIN_RATE_LIMITED', `too many failed logins; try again in ${wait} s`);
      }
      try {
        const { token, session } = await login(ctx.db, name, password);
        limiter.clear(`name:${name}`);
        setCookie(c, SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'Strict',
          path: '/',
          secure: ctx.secureCookies,
          maxAge: 12 * 3600,
        });
        return c.json(session, 200);
      } catch (e) {
        if (e instanceof LabelError && e.code === 'LABEL_BAD_LOGIN') limiter.fail(keys);
        throw e;
      }
    },
  );
  app.openapi(
    createRoute({ method: 'post', path: '/auth/logout', tags, summary: 'Log out', responses: jsonResponse(OkSchema, 'logged out') }),
    async (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) await logout(ctx.db, token);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.json({ ok: true as const }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/auth/me',
      tags,
      summary: 'The current user and CSRF token',
      responses: jsonResponse(SessionSchema, 'the session'),
    }),
    (c) => {
      const s = c.get('session');
      if (!s) throw new LabelError('LABEL_UNAUTHENTICATED', 'log in first');
      return c.json(s, 200);
    },
  );
  const users = ['users'];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      tags: users,
      summary: 'List users (admin)',
      responses: jsonResponse(z.object({ users: z.array(UserSchema) }), 'users'),
    }),
    async (c) => {
      requireRole(c, 'admin');
      return c.json({ users: await listUsers(ctx.db) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      tags: users,
      summary: 'Create a user (admin)',
      request: jsonBody(z.object({ name: z.string().min(1).max(64), role: RoleSchema, password: z.string().min(8).max(1024) })),
      responses: jsonResponse(z.object({ user: UserSchema }), 'the new user'),
    }),
    async (c) => {
      requireRole(c, 'admin');
      const b = c.req.valid('json');
      return c.json({ user: await createUser(ctx.db, b.name, b.role, b.password) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{userId}',
      tags: users,
      summary: 'Change role, password or disabled (admin)',
      request: {
        params: UserParam,
        ...jsonBody(
          z.object({ role: RoleSchema.optional(), password: z.string().min(8).max(1024).optional(), disabled: z.boolean().optional() }),
        ),
      },
      responses: jsonResponse(z.object({ user: UserSchema }), 'the user'),
    }),
    async (c) => {
      const me = requireRole(c, 'admin');
      const { userId } = c.req.valid('param');
      const b = c.req.valid('json');
      if (userId === me.id && (b.disabled || (b.role && b.role !== 'admin')))
        throw new LabelError('LABEL_FORBIDDEN', 'an admin cannot disable or demote themselves');
      return c.json({ user: await updateUser(ctx.db, userId, b) }, 200);
    },
  );
}
