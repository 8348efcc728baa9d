import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { requireToken } from './auth.js';
import type { StudioContext } from './context.js';
import { errorResponse } from './http.js';
import { STAGES } from './stages.js';

/** The built SPA: apps/studio/dist/web, found from server/ (source) or dist/server/ (built). */
export function webDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const pkg = basename(dirname(here)) === 'dist' ? dirname(dirname(here)) : dirname(here);
  return join(pkg, 'dist', 'web');
}

export interface StudioAppOptions extends StudioContext {
  /** Required when bound beyond loopback; every request must then carry it. */
  token?: string;
  /** The built SPA folder (default: apps/studio/dist/web). */
  web?: string;
}

/** One Hono app: each stage's API under /api/<stage>/, then the SPA (any other path gets index.html). */
export function createStudioApp(o: StudioAppOptions): Hono {
  const app = new Hono();
  const ctx: StudioContext = { runsDir: o.runsDir, endpoints: o.endpoints, dataRoot: o.dataRoot, labelDir: o.labelDir };
  if (o.token) app.use('*', requireToken(o.token));
  app.onError((e, c) => errorResponse(c, e));
  app.get('/api/health', (c) => c.json({ ok: true, runsDir: ctx.runsDir, endpoints: ctx.endpoints, stages: STAGES.map((s) => s.id) }));
  for (const stage of STAGES) app.route(`/api/${stage.id}`, stage.routes(ctx));
  app.all('/api/*', (c) => c.json({ error: { code: 'STUDIO_BAD_REQUEST', message: `no API route ${c.req.method} ${c.req.path}.` } }, 404));
  const web = o.web ?? webDir();
  app.use('/assets/*', serveStatic({ root: web }));
  app.get('*', async (c) => {
    const index = join(web, 'index.html');
    if (!existsSync(index))
      return c.html(
        '<!doctype html><meta charset="utf-8"><title>Puyu Studio</title><p>[STUDIO_NOT_BUILT] The Studio web app is not built: run <code>npm run build -w apps/studio</code> (npm install does it in its prepare step).</p>',
        500,
      );
    return c.html(await readFile(index, 'utf8'));
  });
  return app;
}
