import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { ApiKeys } from '../apiKeys.js';
import { ServeError } from '../ServeError.js';
import { chatCompletions } from './chatCompletions.js';
import { errorResponse, newId, type RouteContext, type ServeEnv, type ServeLogger, stderrLogger } from './common.js';
import { completions } from './completions.js';
import { embeddings } from './embeddings.js';

export interface AppOptions {
  /** Accepted Bearer keys; none = no authentication. /health stays open for load balancers. */
  apiKeys?: readonly string[];
  /** CORS origins (`*` for any); unset = no CORS headers. */
  corsOrigins?: readonly string[];
  /** Largest request body in bytes (default 4 MiB). */
  maxBodyBytes?: number;
  /** Where server faults are logged with their details (default: JSON lines on stderr). */
  log?: ServeLogger;
}

/** An incoming X-Request-Id (set by a proxy or the client) is kept when it is short and plain. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The OpenAI-compatible HTTP surface.
 *
 * Why Hono: its handlers take and return web-standard Request/Response, so SSE is a plain
 * ReadableStream whose `cancel` (and the request's AbortSignal, which @hono/node-server fires when
 * the socket closes) tells us the client is gone — that is what frees a sequence at once on
 * disconnect. It is small, has body-limit and CORS middleware built in, and the same app can be
 * driven in-process with `app.request()` for tests without a socket.
 */
export function createApp(routeContext: RouteContext, opts: AppOptions = {}): Hono<ServeEnv> {
  const rc: RouteContext = { ...routeContext, log: opts.log ?? routeContext.log ?? stderrLogger };
  const app = new Hono<ServeEnv>();
  const route = (path: string) => (path.startsWith('/v1/') ? path : path === '/health' || path === '/metrics' ? path : 'other');

  app.use('*', async (c, next) => {
    const incoming = c.req.header('X-Request-Id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : newId('req');
    c.set('requestId', id);
    await next();
    c.res.headers.set('X-Request-Id', id);
    rc.metrics.countRequest(route(c.req.path), c.res.status);
  });
  if (opts.corsOrigins && opts.corsOrigins.length > 0) {
    const origins = [...opts.corsOrigins];
    app.use('*', cors({ origin: origins.includes('*') ? '*' : origins, allowHeaders: ['Authorization', 'Content-Type'], maxAge: 600 }));
  }
  const keys = new ApiKeys(opts.apiKeys ?? []);
  if (!keys.open) {
    app.use('/v1/*', async (c, next) => {
      if (c.req.method === 'OPTIONS') return next();
      if (!keys.authorizes(c.req.header('Authorization'))) {
        return errorResponse(
          c,
          rc,
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
          rc,
          new ServeError('SERVE_BODY_TOO_LARGE', `the request body is larger than ${opts.maxBodyBytes ?? 4 * 1024 * 1024} bytes.`, {
            status: 413,
          }),
        ),
    }),
  );

  // 503 while shutting down, so load balancers stop routing here before the listener is gone.
  app.get('/health', (c) =>
    c.json(
      {
        status: rc.scheduler.isDraining ? 'draining' : 'ok',
        model: rc.engine.modelName,
        active_sequences: rc.scheduler.activeSequences,
        queue_depth: rc.scheduler.queueDepth,
      },
      rc.scheduler.isDraining ? 503 : 200,
    ),
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
          rc,
          new ServeError('model_not_found', `no model "${c.req.param('id')}"; this server serves "${rc.engine.modelName}".`, {
            status: 404,
          }),
        ),
  );
  app.post('/v1/chat/completions', (c) => chatCompletions(c, rc));
  app.post('/v1/completions', (c) => completions(c, rc));
  app.post('/v1/embeddings', (c) => embeddings(c, rc));

  app.notFound((c) => errorResponse(c, rc, new ServeError('not_found', `no route ${c.req.method} ${c.req.path}.`, { status: 404 })));
  // A request can fail; the server cannot: every throw becomes an OpenAI error body (server faults: logged, id only).
  app.onError((e, c) => errorResponse(c, rc, e));
  return app;
}
