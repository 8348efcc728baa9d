/**
 * `puyu assistant serve`: the HTTP API and the webhook connector, on node:http (a handful of
 * JSON routes needs no framework).
 *   GET  /v1/kb                  → stats, thresholds, sources
 *   POST /v1/ask                 {question, history?, retrievalOnly?, retriever?} → Decision
 *   POST /v1/upload?name=FILE    raw bytes (a .zip is expanded) → {stored, report}
 *   GET|PUT /v1/questions        {good, bad}
 *   POST /v1/calibrate           {retrievers?} → thresholds
 *   POST /v1/webhook             signed {text, history?} → {reply, decision} (see webhook.ts)
 * Errors answer {error: {code, message}} with 400/401/404/409/413; a body over the limit is cut
 * off as it streams in, not after.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPuyuError } from '@puyu/core';
import { AssistantError } from './errors.js';
import type { DecideOptions } from './pipeline.js';
import type { AssistantService } from './service.js';
import type { RetrieverKind } from './store.js';
import { WebhookVerifier } from './webhook.js';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Shared secret of the webhook; without it /v1/webhook answers 404. */
  webhookSecret?: string;
  webhookWindowSeconds?: number;
  /** Bearer token required on the API routes (not the webhook, which is signed). */
  apiKey?: string;
}

const STATUS: Record<string, number> = {
  ASSISTANT_FILE_TOO_LARGE: 413,
  ASSISTANT_ARCHIVE_BOMB: 413,
  ASSISTANT_WEBHOOK_BAD_SIGNATURE: 401,
  ASSISTANT_WEBHOOK_STALE: 401,
  ASSISTANT_WEBHOOK_REPLAY: 409,
  ASSISTANT_NO_MODEL: 409,
  ASSISTANT_NO_VECTORS: 409,
};

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit)
    throw new AssistantError('ASSISTANT_FILE_TOO_LARGE', `the request body is ${declared} bytes, over the ${limit}-byte limit; refused.`);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) throw new AssistantError('ASSISTANT_FILE_TOO_LARGE', `the request body exceeds the ${limit}-byte limit; refused.`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function parse(buf: Buffer): Record<string, unknown> {
  try {
    const v = JSON.parse(buf.toString('utf8') || '{}');
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {}
  throw new AssistantError('ASSISTANT_BAD_REQUEST', 'the body is not a JSON object.');
}

export function askOptions(b: Record<string, unknown>): DecideOptions {
  const retriever = b.retriever as RetrieverKind | undefined;
  if (retriever !== undefined && !['bm25', 'dense', 'hybrid'].includes(retriever))
    throw new AssistantError('ASSISTANT_BAD_REQUEST', 'retriever must be bm25, dense or hybrid.');
  const history = Array.isArray(b.history) ? (b.history as DecideOptions['history']) : undefined;
  return { retrievalOnly: b.retrievalOnly === true, retriever, history };
}

function question(b: Record<string, unknown>, field = 'question'): string {
  const q = b[field];
  if (typeof q !== 'string' || !q.trim()) throw new AssistantError('ASSISTANT_BAD_REQUEST', `"${field}" must be a non-empty string.`);
  return q;
}

export function createAssistantHandler(service: AssistantService, opts: ServeOptions = {}) {
  const verifier = opts.webhookSecret ? new WebhookVerifier(opts.webhookSecret, opts.webhookWindowSeconds) : undefined;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    try {
      if (route === 'POST /v1/webhook') {
        if (!verifier)
          return json(res, 404, {
            error: { code: 'ASSISTANT_BAD_REQUEST', message: 'the webhook is off: start serve with --webhook-secret.' },
          });
        const raw = (await readBody(req, 1 << 20)).toString('utf8');
        const h = (k: string) => (req.headers[k] as string | undefined) ?? undefined;
        verifier.verify({ timestamp: h('x-puyu-timestamp'), nonce: h('x-puyu-nonce'), signature: h('x-puyu-signature') }, raw);
        const b = parse(Buffer.from(raw));
        const d = await service.kb.decide(question(b, 'text'), askOptions(b));
        return json(res, 200, {
          reply: d.decision === 'answer' ? (d.answer ?? d.citations?.map((c) => c.source).join(', ')) : d.reason,
          decision: d,
        });
      }
      if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`)
        return json(res, 401, { error: { code: 'ASSISTANT_BAD_REQUEST', message: 'send Authorization: Bearer <key>.' } });
      if (route === 'GET /v1/kb') return json(res, 200, service.kb.stats());
      if (route === 'POST /v1/ask') {
        const b = parse(await readBody(req, 1 << 20));
        return json(res, 200, await service.kb.decide(question(b), askOptions(b)));
      }
      if (route === 'POST /v1/upload') {
        const name = url.searchParams.get('name') ?? '';
        if (!name) throw new AssistantError('ASSISTANT_BAD_REQUEST', 'pass the file name as ?name=FILE.');
        const data = await readBody(req, service.maxUploadBytes);
        return json(res, 200, await service.upload(name, data));
      }
      if (route === 'GET /v1/questions') return json(res, 200, await service.questions());
      if (route === 'PUT /v1/questions') {
        const b = parse(await readBody(req, 8 << 20));
        return json(res, 200, await service.setQuestions(b as { good: string[]; bad: string[] }));
      }
      if (route === 'POST /v1/calibrate') {
        const b = parse(await readBody(req, 1 << 16));
        return json(res, 200, await service.calibrate(b.retrievers as RetrieverKind[] | undefined));
      }
      json(res, 404, { error: { code: 'ASSISTANT_BAD_REQUEST', message: `no route ${route}` } });
    } catch (e) {
      const code = isPuyuError(e) ? e.code : 'INTERNAL';
      // Drain nothing more from a refused upload: close the connection after answering.
      if (code === 'ASSISTANT_FILE_TOO_LARGE') res.setHeader('connection', 'close');
      json(res, STATUS[code] ?? (isPuyuError(e) ? 400 : 500), { error: { code, message: (e as Error).message } });
    }
  };
}

export async function serveAssistant(
  service: AssistantService,
  opts: ServeOptions = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(createAssistantHandler(service, opts));
  await new Promise<void>((resolve) => server.listen(opts.port ?? 8100, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
