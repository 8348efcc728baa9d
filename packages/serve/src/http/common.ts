import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Token } from 'node-llama-cpp';
import type { z } from 'zod';
import type { Engine } from '../engine/Engine.js';
import type { SamplingOptions, Scheduler, SequenceTicket } from '../engine/Scheduler.js';
import type { Metrics } from '../Metrics.js';
import { openAIErrorBody, ServeError } from '../ServeError.js';

/** One server log record (a JSON line on stderr by default). */
export interface ServeLogEntry {
  level: 'error' | 'warn' | 'info';
  msg: string;
  request_id?: string;
  [field: string]: unknown;
}
export type ServeLogger = (entry: ServeLogEntry) => void;

export const stderrLogger: ServeLogger = (entry) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
};

/** What every route needs from the server. */
export interface RouteContext {
  engine: Engine;
  scheduler: Scheduler;
  metrics: Metrics;
  /** Longest prompt accepted, in tokens (always below the per-sequence context). */
  maxPromptTokens: number;
  /** Where server faults are described (default: JSON lines on stderr); clients only see a request id. */
  log?: ServeLogger;
}

/** Hono variables set for every request. */
export type ServeEnv = { Variables: { requestId: string } };

export function newId(prefix: string): string {
  return `${prefix}-${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Parses and validates a JSON body; any problem is a 400 with the offending field as `param`. */
export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch (e) {
    throw new ServeError('SERVE_BAD_JSON', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.join('.') || null;
    throw new ServeError('SERVE_INVALID_REQUEST', `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid request'}`, { param: path });
  }
  return r.data;
}

/** The OpenAI sampling fields of a request as scheduler options. */
export function samplingFrom(
  req: {
    temperature?: number | null;
    top_p?: number | null;
    top_k?: number | null;
    min_p?: number | null;
    seed?: number | null;
    presence_penalty?: number | null;
    frequency_penalty?: number | null;
    ignore_eos?: boolean | null;
  },
  maxTokens: number,
): SamplingOptions {
  return {
    maxTokens,
    // OpenAI's default temperature is 1; 0 means greedy in llama.cpp too.
    temperature: req.temperature ?? 1,
    topP: req.top_p ?? undefined,
    topK: req.top_k ?? undefined,
    minP: req.min_p ?? undefined,
    seed: req.seed ?? undefined,
    presencePenalty: req.presence_penalty ?? undefined,
    frequencyPenalty: req.frequency_penalty ?? undefined,
    ignoreEos: req.ignore_eos ?? undefined,
  };
}

export function stopList(stop: string | string[] | null | undefined): string[] {
  if (stop == null) return [];
  return (Array.isArray(stop) ? stop : [stop]).filter((s) => s.length > 0);
}

/** Rejects prompts the context cannot hold (OpenAI's `context_length_exceeded`). */
export function checkPromptLength(rc: RouteContext, tokens: readonly Token[], param: string): void {
  if (tokens.length === 0) throw new ServeError('SERVE_EMPTY_PROMPT', 'the prompt is empty.', { param });
  if (tokens.length > rc.maxPromptTokens) {
    throw new ServeError(
      'context_length_exceeded',
      `the prompt has ${tokens.length} tokens; this server accepts at most ${rc.maxPromptTokens}.`,
      { param },
    );
  }
}

/** Refuses token ids outside the vocabulary: llama.cpp would read past its embedding table. */
export function checkTokenIds(rc: RouteContext, tokens: readonly number[], param: string): void {
  const bad = tokens.find((t) => t >= rc.engine.vocabSize);
  if (bad !== undefined)
    throw new ServeError('SERVE_BAD_TOKEN', `token id ${bad} is outside the vocabulary (${rc.engine.vocabSize}).`, { param });
}

/** OpenAI logprob entry of one token: text, log-probability and UTF-8 bytes. */
export function tokenLogprob(engine: Engine, token: Token, logprob: number) {
  const text = engine.detokenize([token]);
  return { token: text, logprob, bytes: [...Buffer.from(text, 'utf8')] };
}

/** The id of this request (from a sane incoming `X-Request-Id`, else new); every response carries it. */
export function requestIdOf(c: Context<ServeEnv>): string {
  return c.get('requestId') ?? 'unknown';
}

/**
 * Status and body for `e`. Server faults are logged under the request id: with their details and stack
 * when unexpected (the client saw only the id); as a warning when they are a known server condition
 * (a 503 while shutting down, a choice stopped because its sibling failed).
 */
export function errorBody(c: Context<ServeEnv>, rc: Pick<RouteContext, 'log'>, e: unknown): ReturnType<typeof openAIErrorBody> {
  const id = requestIdOf(c);
  const r = openAIErrorBody(e, id);
  if (r.status < 500) return r;
  const log = rc.log ?? stderrLogger;
  const where = { request_id: id, method: c.req.method, path: c.req.path, status: r.status, code: r.body.error.code };
  if (!r.internal) {
    log({ level: 'warn', msg: (e as Error).message, ...where });
    return r;
  }
  const err = e as { name?: string; code?: unknown; message?: string; stack?: string; cause?: unknown } | undefined;
  log({
    level: 'error',
    msg: 'request failed',
    ...where,
    error: err?.message ?? String(e),
    error_name: err?.name,
    error_code: typeof err?.code === 'string' ? err.code : undefined,
    stack: err?.stack,
    cause: err?.cause instanceof Error ? err.cause.stack : err?.cause,
  });
  return r;
}

/** An error response in OpenAI's shape, with Retry-After on 429s and 503s. */
export function errorResponse(c: Context<ServeEnv>, rc: Pick<RouteContext, 'log'>, e: unknown): Response {
  const { status, body } = errorBody(c, rc, e);
  const headers: Record<string, string> = {};
  if (e instanceof ServeError && e.retryAfter !== undefined) headers['Retry-After'] = String(e.retryAfter);
  return c.json(body, status as 400, headers);
}

/**
 * A controller that fires when the client goes away: @hono/node-server aborts the request's signal when
 * the socket closes; a stream's `cancel` aborts it too (see sseResponse).
 */
export function clientAbort(c: Context): AbortController {
  const ctrl = new AbortController();
  const s = c.req.raw.signal;
  if (s.aborted) ctrl.abort(s.reason);
  else s.addEventListener('abort', () => ctrl.abort(s.reason), { once: true });
  return ctrl;
}

/**
 * Waits until the request's first ticket holds a sequence: a stream sends its `200` only then, so a
 * request refused while it waited in the queue (shutdown, timeout) still gets its real status. On
 * refusal every ticket is released.
 */
export async function firstGranted(tickets: readonly SequenceTicket[]): Promise<void> {
  try {
    await tickets[0]?.granted;
  } catch (e) {
    for (const t of tickets) t.release();
    throw e;
  }
}

/**
 * A Server-Sent Events response fed by `produce`. `client` fires when the client goes away (the
 * stream is cancelled or the request aborted), which stops generation and frees sequences.
 * Admission is decided before this is called; an error after the first byte cannot change the
 * status, so it goes out as an `error` event (server faults with only a request id, as in bodies).
 */
export function sseResponse(
  c: Context<ServeEnv>,
  rc: Pick<RouteContext, 'log'>,
  client: AbortController,
  produce: (send: (data: unknown) => void) => Promise<void>,
): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (data: unknown) => {
        if (closed || client.signal.aborted) return;
        controller.enqueue(encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`));
      };
      produce(send)
        .catch((e: unknown) => {
          if (!client.signal.aborted) send(errorBody(c, rc, e).body);
        })
        .finally(() => {
          send('[DONE]');
          closed = true;
          try {
            controller.close();
          } catch {
            // already closed by a cancel
          }
        });
    },
    cancel(reason) {
      client.abort(reason ?? new Error('client closed the stream'));
    },
  });
  return new Response(stream, {
    headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' },
  });
}
