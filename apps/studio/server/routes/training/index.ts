import { join } from 'node:path';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { StageRoutes } from '../../context.js';
import { StudioError } from '../../errors.js';
import { findTrainConfig, runDir, scanRuns } from '../../runs.js';
import { MetricsTail } from './metricsTail.js';

/** How often a live stream looks at metrics.jsonl. */
export const POLL_MS = 500;

/** Training runs: the full metrics of a run, and a live SSE stream of new rows while `puyu train` writes. */
export const trainingRoutes: StageRoutes = {
  id: 'training',
  routes: (ctx) =>
    new Hono()
      .get('/runs', async (c) => {
        const runs = (await scanRuns(ctx.runsDir)).filter((r) => r.stage !== 'data' && r.stage !== 'eval');
        return c.json({ runs });
      })
      .get('/metrics', async (c) => {
        const dir = runDir(ctx.runsDir, c.req.query('run'));
        const tail = new MetricsTail(join(dir, 'metrics.jsonl'));
        const { rows } = await tail.poll();
        const config = await findTrainConfig(dir);
        return c.json({ run: c.req.query('run'), rows, plannedSteps: config?.steps ?? null });
      })
      .get('/stream', (c) => {
        const dir = runDir(ctx.runsDir, c.req.query('run'));
        const tail = new MetricsTail(join(dir, 'metrics.jsonl'));
        return streamSSE(c, async (stream) => {
          let closed = false;
          stream.onAbort(() => {
            closed = true;
          });
          const config = await findTrainConfig(dir);
          await stream.writeSSE({ event: 'meta', data: JSON.stringify({ plannedSteps: config?.steps ?? null }) });
          let idle = 0;
          while (!closed) {
            try {
              const { reset, rows } = await tail.poll();
              if (reset) await stream.writeSSE({ event: 'reset', data: '{}' });
              if (rows.length) {
                await stream.writeSSE({ event: 'rows', data: JSON.stringify(rows) });
                idle = 0;
              } else if (++idle % 30 === 0) await stream.writeSSE({ event: 'ping', data: '{}' });
            } catch (e) {
              const err = new StudioError('STUDIO_FILE_UNREADABLE', `${dir}/metrics.jsonl: ${(e as Error).message}`);
              await stream.writeSSE({ event: 'failure', data: JSON.stringify({ code: err.code, message: err.message }) });
            }
            await stream.sleep(POLL_MS);
          }
        });
      }),
};
