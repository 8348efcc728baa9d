import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { PuyuError } from '@puyu/core';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { openDatabase } from '../db/openDatabase.js';
import { LabelError } from '../errors.js';
import { FileStore } from '../store/fileStore.js';
import { sessionOf } from '../store/users.js';
import { registerAuthRoutes } from './authRoutes.js';
import { registerDataRoutes } from './dataRoutes.js';
import { CSRF_HEADER, type LabelContext, type LabelEnv, SESSION_COOKIE } from './env.js';
import { registerProjectRoutes } from './projectRoutes.js';
import { registerTaskRoutes } from './taskRoutes.js';

export interface LabelAppOptions {
  /** SQLite `label.sqlite` and stored files `files/` live here. */
  dataDir: string;
  /** postgres://… selects PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** Where the routes are mounted (default /api/label). */
  basePath?: string;
  /** Adds `Secure` to the cookies (serve behind HTTPS). */
  secureCookies?: boolean;
  /** Failed logins allowed per IP and per name within the window (default 10 per 15 minutes). */
  loginLimit?: { max: number; windowMs: number };
  /** Largest request body in bytes (default 64 MiB). */
  maxBodyBytes?: number;
}

export interface LabelApp {
  app: OpenAPIHono<LabelEnv>;
  context: LabelContext;
  close(): Promise<void>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Builds the labelling API (API.md) on its own database; the Studio mounts `app` in its process, `puyu label serve` serves it. */
export async function createLabelApp(options: LabelAppOptions): Promise<LabelApp> {
  const opened = await openDatabase(options.dataDir, options.databaseUrl);
  const basePath = (options.basePath ?? '/api/label').replace(/\/+$/, '');
  const context: LabelContext = {
    db: opened.db,
    files: new FileStore(join(options.dataDir, 'files')),
    basePath,
    secureCookies: options.secureCookies ?? false,
    loginLimit: options.loginLimit ?? { max: 10, windowMs: 15 * 60_000 },
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024,
  };
  const root = new OpenAPIHono<LabelEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new LabelError('LABEL_BAD_REQUEST', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
      }
    },
  });
  const app = root.basePath(basePath) as unknown as OpenAPIHono<LabelEnv>;
  const publicPaths = new Set([`${basePath}/health`, `${basePath}/auth/login`, `${basePath}/openapi.json`]);

  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) => c.json({ error: { code: 'LABEL_NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.use(
    '*',
    bodyLimit({
      maxSize: context.maxBodyBytes,
      onError: () => Promise.reject(new LabelError('LABEL_TOO_LARGE', `the body is larger than ${context.maxBodyBytes} bytes`)),
    }),
  );
  // Authentication and CSRF in one place, ahead of every route: a route cannot forget them.
  app.use('*', async (c, next) => {
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await sessionOf(context.db, token) : null;
    c.set('session', session);
    if (publicPaths.has(c.req.path)) return next();
    if (!session) throw new LabelError('LABEL_UNAUTHENTICATED', 'log in first (POST /auth/login)');
    if (!SAFE_METHODS.has(c.req.method)) {
      const sent = c.req.header(CSRF_HEADER) ?? '';
      const a = Buffer.from(sent);
      const b = Buffer.from(session.csrfToken);
      if (a.length !== b.length || !timingSafeEqual(a, b))
        throw new LabelError('LABEL_CSRF', `send the session's CSRF token in the ${CSRF_HEADER} header`);
    }
    return next();
  });

  app.get('/health', (c) => c.json({ ok: true }));
  registerAuthRoutes(app, context);
  registerProjectRoutes(app, context);
  registerTaskRoutes(app, context);
  registerDataRoutes(app, context);
  const doc = { openapi: '3.1.0', info: { title: 'Puyu labelling API', version: '1' }, servers: [{ url: '/' }] };
  app.doc31('/openapi.json', doc);
  return { app, context, close: () => opened.close() };
}

function errorResponse(c: Context, err: Error): Response {
  if (err instanceof LabelError) {
    const details = err.details?.task !== undefined ? { task: err.details.task } : {};
    return c.json({ error: { code: err.code, message: err.message, ...details } }, err.status as 400);
  }
  if (err instanceof PuyuError) return c.json({ error: { code: err.code, message: err.message } }, 400);
  // Hono's own refusals (malformed JSON, an unreadable form): the client's fault, with Hono's sentence.
  if (err instanceof HTTPException && err.status < 500)
    return c.json({ error: { code: err.status === 413 ? 'LABEL_TOO_LARGE' : 'LABEL_BAD_REQUEST', message: err.message } }, err.status);
  console.error('puyu label: unexpected error', err);
  return c.json({ error: { code: 'LABEL_BAD_REQUEST', message: 'the server failed on this request; see its log' } }, 500);
}
