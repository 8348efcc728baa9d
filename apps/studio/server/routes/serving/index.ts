import { Hono } from 'hono';
import type { StageRoutes } from '../../context.js';
import { StudioError } from '../../errors.js';
import { endpointParam } from '../chat/endpoint.js';
import { parsePrometheus } from './prometheus.js';

/** The /metrics of a `puyu serve` (or any Prometheus-speaking OpenAI server), parsed; the page polls it. */
export const servingRoutes: StageRoutes = {
  id: 'serving',
  routes: (ctx) =>
    new Hono().get('/metrics', async (c) => {
      const base = endpointParam(ctx, c.req.query('endpoint'));
      const url = `${base.replace(/\/v1$/, '')}/metrics`;
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      } catch (e) {
        throw new StudioError('STUDIO_ENDPOINT_FAILED', `${url}: ${(e as Error).message}. Is puyu serve running there?`, { cause: e });
      }
      if (!res.ok) throw new StudioError('STUDIO_ENDPOINT_FAILED', `${url} answered HTTP ${res.status}.`);
      return c.json({ endpoint: base, at: Date.now(), samples: parsePrometheus(await res.text()) });
    }),
};
