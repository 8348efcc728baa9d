import { join } from 'node:path';
import type { LabelApp } from '@puyu/label';
import { Hono } from 'hono';
import type { StageRoutes, StudioContext } from '../../context.js';

/**
 * @puyu/label's API (packages/label/API.md) inside the Studio, under /api/label. The label app
 * carries its own session cookie, CSRF check and roles; it is created on the first request
 * (its package is imported only then, so the Studio starts fast) on `labelDir`, by default
 * `<runs>/label` (SQLite `label.sqlite` and the stored files).
 */
export const labelRoutes: StageRoutes = {
  id: 'label',
  routes: (ctx: StudioContext) => {
    let opening: Promise<LabelApp> | undefined;
    const open = () => {
      opening ??= import('@puyu/label').then(({ createLabelApp }) =>
        createLabelApp({ dataDir: ctx.labelDir ?? join(ctx.runsDir, 'label'), basePath: '/api/label' }),
      );
      // a failed start (unwritable folder, bad database) is retried on the next request
      opening.catch(() => {
        opening = undefined;
      });
      return opening;
    };
    return (
      new Hono()
        // GET /auth/me, with "not signed in" as a 200 ({ user: null }): the page asks on every load, and
        // a 401 there would be logged by the browser as a failed resource before anyone signed in
        .get('/session', async (c) => {
          const me = new URL('/api/label/auth/me', c.req.url);
          const res = await (await open()).app.fetch(new Request(me, { headers: c.req.raw.headers }));
          if (res.status === 401) return c.json({ user: null }, 200, { 'cache-control': 'no-store' });
          return res;
        })
        // the label app matches the full path (/api/label/…), so the request goes on unchanged
        .all('*', async (c) => (await open()).app.fetch(c.req.raw))
    );
  },
};
