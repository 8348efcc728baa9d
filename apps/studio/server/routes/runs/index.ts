import { Hono } from 'hono';
import type { StageRoutes } from '../../context.js';
import { scanRuns } from '../../runs.js';

/** The chain overview: every run folder with its stage, status, inputs and outputs, linked. */
export const runsRoutes: StageRoutes = {
  id: 'runs',
  routes: (ctx) => new Hono().get('/', async (c) => c.json({ runsDir: ctx.runsDir, runs: await scanRuns(ctx.runsDir) })),
};
