import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ApiKeys } from '../apiKeys.js';
import { NodeRegistry, type ProxyNode, type ProxyNodeConfig } from './NodeRegistry.js';
import type { RoutingStrategy } from './strategies.js';

export interface ProxyOptions {
  nodes: ProxyNodeConfig[];
  strategy?: RoutingStrategy;
  /** Clients must send `Authorization: Bearer <key>` with one of these (also guards /nodes). */
  apiKeys?: string[];
  healthIntervalMs?: number;
  maxBodyBytes?: number;
  /** Upstream time limit per request. */
  timeoutMs?: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string, code: string, type = 'invalid_request_error'): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw Object.assign(new Error(`request body exceeds ${limit} bytes`), { status: 413 });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * An OpenAI-compatible reverse proxy over several inference nodes (LMDeploy's
 * `proxy`): routes each request by strategy, streams responses through untouched,
 * retries another node when one cannot be reached, checks health on a timer, and
 * lets operators add or remove nodes at run time (`GET/POST/DELETE /nodes`).
 * Built on node:http and fetch rather than a framework: it only pipes bytes.
 */
export class ProxyServer {
  readonly registry: NodeRegistry;
  private server?: Server;
  private timer?: NodeJS.Timeout;
  private readonly keys: ApiKeys;
  /** Aborts the upstream request of every forward in flight (see close). */
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly opts: ProxyOptions) {
    this.registry = new NodeRegistry(opts.strategy ?? 'least-outstanding');
    for (const n of opts.nodes) this.registry.add(n);
    this.keys = new ApiKeys(opts.apiKeys ?? []);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<{ port: number; url: string }> {
    await this.registry.checkAll();
    this.timer = setInterval(() => void this.registry.checkAll(), this.opts.healthIntervalMs ?? 10_000);
    this.timer.unref();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => sendError(res, 500, `proxy error: ${(e as Error).message}`, 'proxy_error', 'server_error'));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const addr = this.server.address() as AddressInfo;
    return { port: addr.port, url: `http://${host}:${addr.port}` };
  }

  /**
   * Stops listening and ends every open exchange now: upstream requests are aborted (so nodes stop
   * generating) and client connections closed, streams included; `server.close` alone would wait for
   * every open stream to end.
   */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const a of this.inFlight) a.abort(new Error('the proxy is closing'));
    server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const path = url.pathname;
    if (path === '/health')
      return sendJson(res, this.registry.list().some((n) => n.healthy) ? 200 : 503, { nodes: this.registry.list().map(publicNode) });
    if (!this.keys.authorizes(req.headers.authorization))
      return sendError(res, 401, 'missing or wrong API key: send Authorization: Bearer <key>', 'invalid_api_key');
    if (path === '/nodes') return this.handleNodes(req, res, url);
    if (path === '/v1/models' && req.method === 'GET') {
      const ids = [
        ...new Set(
          this.registry
            .list()
            .filter((n) => n.healthy)
            .flatMap((n) => n.models),
        ),
      ];
      return sendJson(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', owned_by: 'puyu-proxy' })) });
    }
    if (!path.startsWith('/v1/')) return sendError(res, 404, `no route ${req.method} ${path}`, 'not_found');
    let body: Buffer;
    try {
      body = await readBody(req, this.opts.maxBodyBytes ?? 16 * 2 ** 20);
    } catch (e) {
      return sendError(res, (e as { status?: number }).status ?? 400, (e as Error).message, 'body_too_large');
    }
    let model: string | undefined;
    if (body.length && (req.headers['content-type'] ?? '').includes('json')) {
      try {
        model = (JSON.parse(body.toString('utf8')) as { model?: string }).model;
      } catch {
        return sendError(res, 400, 'request body is not valid JSON', 'invalid_json');
      }
    }
    await this.forward(req, res, url, body, model);
  }

  /** Sends the request to a node; on a connection failure, to the next one. */
  private async forward(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, model: string | undefined): Promise<void> {
    const tried = new Set<string>();
    const abort = new AbortController();
    this.inFlight.add(abort);
    res.on('close', () => {
      this.inFlight.delete(abort);
      if (!res.writableFinished) abort.abort(); // client went away: stop the upstream generation too
    });
    for (;;) {
      const node = this.registry.pick(model, tried);
      if (!node)
        return sendError(
          res,
          503,
          tried.size ? `every node failed (${[...tried].join(', ')})` : 'no healthy node to route to',
          'no_healthy_node',
          'server_error',
        );
      tried.add(node.url);
      this.registry.started(node);
      const t0 = performance.now();
      let upstream: Response;
      try {
        upstream = await fetch(`${node.url}${url.pathname}${url.search}`, {
          method: req.method,
          headers: upstreamHeaders(req, node),
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(this.opts.timeoutMs ?? 600_000)]),
        });
      } catch (e) {
        this.registry.finished(node);
        if (abort.signal.aborted) return;
        this.registry.failed(node, (e as Error).message);
        continue; // nothing was sent to the client yet: try another node
      }
      this.registry.firstByte(node, performance.now() - t0);
      res.writeHead(upstream.status, passHeaders(upstream));
      if (!upstream.body) {
        res.end();
        this.registry.finished(node);
        return;
      }
      const stream = Readable.fromWeb(upstream.body as never);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        res.once('close', done);
        stream.once('end', done);
        stream.once('error', done);
      });
      this.registry.finished(node);
      return;
    }
  }

  private async handleNodes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'GET')
      return sendJson(res, 200, { strategy: this.opts.strategy ?? 'least-outstanding', nodes: this.registry.list().map(publicNode) });
    let cfg: ProxyNodeConfig | undefined;
    if (req.method === 'POST' || req.method === 'DELETE') {
      const raw = (await readBody(req, 65536)).toString('utf8');
      try {
        cfg = raw ? (JSON.parse(raw) as ProxyNodeConfig) : { url: url.searchParams.get('url') ?? '' };
      } catch {
        return sendError(res, 400, 'body must be JSON like {"url": "http://host:port", "weight": 1}', 'invalid_json');
      }
    }
    if (!cfg || typeof cfg.url !== 'string' || !cfg.url)
      return sendError(res, 400, 'give the node as {"url": "http://host:port"}', 'missing_url');
    try {
      if (req.method === 'POST') {
        const n = this.registry.add(cfg);
        await this.registry.checkAll();
        return sendJson(res, 201, publicNode(n));
      }
      return this.registry.remove(cfg.url)
        ? sendJson(res, 200, { removed: cfg.url })
        : sendError(res, 404, `no node ${cfg.url}`, 'node_not_found');
    } catch (e) {
      return sendError(res, 400, (e as Error).message, (e as { code?: string }).code ?? 'bad_node');
    }
  }
}

function upstreamHeaders(req: IncomingMessage, node: ProxyNode): Record<string, string> {
  const h: Record<string, string> = {};
  for (const k of ['content-type', 'accept']) {
    const v = req.headers[k];
    if (typeof v === 'string') h[k] = v;
  }
  if (node.apiKey) h.authorization = `Bearer ${node.apiKey}`;
  return h;
}

function passHeaders(r: Response): Record<string, string> {
  const h: Record<string, string> = {};
  for (const k of ['content-type', 'cache-control', 'retry-after', 'x-request-id']) {
    const v = r.headers.get(k);
    if (v) h[k] = v;
  }
  return h;
}

function publicNode(n: ProxyNode) {
  return {
    url: n.url,
    weight: n.weight,
    healthy: n.healthy,
    outstanding: n.outstanding,
    latency_ms: n.latencyMs === undefined ? null : Math.round(n.latencyMs * 10) / 10,
    models: n.models,
    requests: n.requests,
    failures: n.failures,
    last_error: n.lastError ?? null,
  };
}
