import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Token } from 'node-llama-cpp';
import type { z } from 'zod';
import type { Engine } from '../engine/Engine.js';
import type { SamplingOptions, Scheduler } from '../engine/Scheduler.js';
import type { Metrics } from '../Metrics.js';
import { openAIErrorBody, ServeError } from '../ServeError.js';

/** What every route needs from the server. */
export interface RouteContext {
  engine: Engine;
  scheduler: Scheduler;
  metrics: Metrics;
  /** Longest prompt accepted, in tokens (always below the per-sequence context). */
  maxPromptTokens: number;
}

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

/** OpenAI logprob entry of one token: text, log-probability and UTF-8 bytes. */
export function tokenLogprob(engine: Engine, token: Token, logprob: number) {
  const text = engine.detokenize([token]);
  return { token: text, logprob, bytes: [...Buffer.from(text, 'utf8')] };
}

/** An error response in OpenAI's shape, with Retry-After on 429s. */
export function errorResponse(c: Context, e: unknown): Response {
  const { status, body } = openAIErrorBody(e);
  const headers: Record<string, string> = {};
  if (e instanceof ServeError && e.retryAfter !== undefined) headers['Retry-After'] = String(e.retryAfter);
  return c.json(body, status as 400, headers);
}

/**
 * A Server-Sent Events response fed by `produce`. Its signal fires when the client goes away
 * (the stream is cancelled or the request aborted), which stops generation and frees sequences.
 * An error after the first byte cannot change the status, so it goes out as an `error` event.
 */
export function sseResponse(c: Context, produce: (send: (data: unknown) => void, signal: AbortSignal) => Promise<void>): Response {
  const abort = new AbortController();
  const clientSignal = c.req.raw.signal;
  const onClientAbort = () => abort.abort(clientSignal.reason);
  clientSignal.addEventListener('abort', onClientAbort, { once: true });
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (data: unknown) => {
        if (closed || abort.signal.aborted) return;
        controller.enqueue(encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`));
      };
      produce(send, abort.signal)
        .catch((e) => {
          if (!abort.signal.aborted) send(openAIErrorBody(e).body);
        })
        .finally(() => {
          send('[DONE]');
          closed = true;
          clientSignal.removeEventListener('abort', onClientAbort);
          try {
            controller.close();
          } catch {
            // already closed by a cancel
          }
        });
    },
    cancel(reason) {
      abort.abort(reason ?? new Error('client closed the stream'));
    },
  });
  return new Response(stream, {
    headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' },
  });
}

/** Runs `fns` concurrently; the first failure aborts the others (through `abort`) and is rethrown. */
export async function allOrAbort<T>(fns: ((signal: AbortSignal) => Promise<T>)[], parent: AbortSignal): Promise<T[]> {
  const ctrl = new AbortController();
  const signal = AbortSignal.any([parent, ctrl.signal]);
  return Promise.all(
    fns.map((f) =>
      f(signal).catch((e) => {
        ctrl.abort(e);
        throw e;
      }),
    ),
  );
}
