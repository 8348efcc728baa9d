import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { ServeError } from '../ServeError.js';
import { chatCompletions } from './chatCompletions.js';
import { errorResponse, type RouteContext } from './common.js';
import { completions } from './completions.js';
import { embeddings } from './embeddings.js';

export interface AppOptions {
  /** Accepted Bearer keys; none = no authentication. /health stays open for load balancers. */
  apiKeys?: readonly string[];
  /** CORS origins (`*` for any); unset = no CORS headers. */
  corsOrigins?: readonly string[];
  /** Largest request body in bytes (default 4 MiB). */
  maxBodyBytes?: number;
}

function keyMatches(given: string, keys: readonly string[]): boolean {
  const g = Buffer.from(given);
  // Constant-time per key, so response timing does not leak how much of a key matched.
  return keys.some((k) => {
    const kb = Buffer.from(k);
    return kb.length === g.length && timingSafeEqual(kb, g);
  });
}

/**
 * The OpenAI-compatible HTTP surface.
 *
 * Why Hono: its handlers take and return web-standard Request/Response, so SSE is a plain
 * ReadableStream whose `cancel` (and the request's AbortSignal, which @hono/node-server fires when
 * the socket closes) tells us the client is gone — that is what frees a sequence at once on
 * disconnect. It is small, has body-limit and CORS middleware built in, and the same app can be
 * driven in-process with `app.request()` for tests without a socket.
 */
export function createApp(rc: RouteContext, opts: AppOptions = {}): Hono {
  const app = new Hono();
  const route = (path: string) => (path.startsWith('/v1/') ? path : path === '/health' || path === '/metrics' ? path : 'other');

  app.use('*', async (c, next) => {
    await next();
    rc.metrics.countRequest(route(c.req.path), c.res.status);
  });
  if (opts.corsOrigins && opts.corsOrigins.length > 0) {
    const origins = [...opts.corsOrigins];
    app.use('*', cors({ origin: origins.includes('*') ? '*' : origins, allowHeaders: ['Authorization', 'Content-Type'], maxAge: 600 }));
  }
  if (opts.apiKeys && opts.apiKeys.length > 0) {
    const keys = opts.apiKeys;
    app.use('/v1/*', async (c, next) => {
      if (c.req.method === 'OPTIONS') return next();
      const m = /^Bearer\s+(.+)$/i.exec(c.req.header('Authorization') ?? '');
      if (!m || !keyMatches(m[1].trim(), keys)) {
        return errorResponse(
          c,
          new ServeError('invalid_api_key', 'missing or wrong API key; send "Authorization: Bearer <key>".', {
            status: 401,
            type: 'authentication_error',
          }),
        );
      }
      return next();
    });
  }
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: opts.maxBodyBytes ?? 4 * 1024 * 1024,
      onError: (c) =>
        errorResponse(
          c,
          new ServeError('SERVE_BODY_TOO_LARGE', `the request body is larger than ${opts.maxBodyBytes ?? 4 * 1024 * 1024} bytes.`, {
            status: 413,
          }),
        ),
    }),
  );

  app.get('/health', (c) =>
    c.json({
      status: 'ok',
      model: rc.engine.modelName,
      active_sequences: rc.scheduler.activeSequences,
      queue_depth: rc.scheduler.queueDepth,
    }),
  );
  app.get('/metrics', (c) =>
    c.text(
      rc.metrics.render({
        queueDepth: rc.scheduler.queueDepth,
        activeSequences: rc.scheduler.activeSequences,
        totalSequences: rc.scheduler.totalSequences,
        decodeBatches: rc.engine.batchStats.batches,
        decodeBatchItems: rc.engine.batchStats.items,
      }),
      200,
      { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' },
    ),
  );
  const model = () => ({ id: rc.engine.modelName, object: 'model', created: 0, owned_by: 'puyu', max_model_len: rc.engine.contextSize });
  app.get('/v1/models', (c) => c.json({ object: 'list', data: [model()] }));
  app.get('/v1/models/:id', (c) =>
    c.req.param('id') === rc.engine.modelName
      ? c.json(model())
      : errorResponse(
          c,
          new ServeError('model_not_found', `no model "${c.req.param('id')}"; this server serves "${rc.engine.modelName}".`, {
            status: 404,
          }),
        ),
  );
  app.post('/v1/chat/completions', (c) => chatCompletions(c, rc));
  app.post('/v1/completions', (c) => completions(c, rc));
  app.post('/v1/embeddings', (c) => embeddings(c, rc));

  app.notFound((c) => errorResponse(c, new ServeError('not_found', `no route ${c.req.method} ${c.req.path}.`, { status: 404 })));
  // A request can fail; the server cannot: every throw becomes an OpenAI error body.
  app.onError((e, c) => errorResponse(c, e));
  return app;
}
