import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Engine, type EngineOptions } from './engine/Engine.js';
import { Scheduler, type SchedulerOptions } from './engine/Scheduler.js';
import { type AppOptions, createApp } from './http/createApp.js';
import { Metrics } from './Metrics.js';

export interface ServeOptions extends EngineOptions, SchedulerOptions, AppOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Longest prompt in tokens (default: the context size minus one token to generate). */
  maxPromptTokens?: number;
}

export interface CloseOptions {
  /**
   * How long running requests may go on finishing, in ms (default 0: they are stopped at their next
   * decode step). A later `close({ gracePeriodMs: 0 })` cuts a running grace period short.
   */
  gracePeriodMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  engine: Engine;
  scheduler: Scheduler;
  metrics: Metrics;
  /** Graceful shutdown (see `startServer`); resolves once the engine is disposed. */
  close(opts?: CloseOptions): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** How long finished responses get to reach their clients before the remaining sockets are destroyed. */
const FLUSH_MS = 1000;

/**
 * Loads the model and listens. `close()` shuts down in order: stop accepting connections (idle
 * keep-alive ones are closed; /health answers 503); answer queued requests 503; let running requests
 * finish for up to the grace period, then stop them at their next decode step (their clients get a
 * 503, as an SSE error event when streaming); wait until no decode of ours is in flight; close the
 * remaining connections; dispose the engine. Disposing while a decode runs would crash natively.
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const engine = await Engine.load(opts);
  const metrics = new Metrics();
  const scheduler = new Scheduler(engine, metrics, opts);
  const maxPromptTokens = Math.min(opts.maxPromptTokens ?? Number.POSITIVE_INFINITY, engine.contextSize - 1);
  const app = createApp({ engine, scheduler, metrics, maxPromptTokens }, opts);
  const host = opts.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 8000 }, (info: AddressInfo) =>
      resolve({ server: s, port: info.port }),
    );
    s.once('error', reject);
  });
  const http = server as unknown as {
    close(cb: () => void): void;
    closeIdleConnections?: () => void;
    closeAllConnections?: () => void;
  };
  let closing: Promise<void> | undefined;
  const close = (o: CloseOptions = {}) => {
    const grace = o.gracePeriodMs ?? 0;
    if (closing) {
      if (grace <= 0) void scheduler.drain(0); // cuts the running grace period short
      return closing;
    }
    closing = (async () => {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections?.();
      await scheduler.drain(grace);
      // Every generation has ended and written its last bytes; give them a moment to leave (closing
      // each keep-alive connection as soon as its response is done), then close what is left
      // (clients that stopped reading).
      const poll = setInterval(() => http.closeIdleConnections?.(), 20);
      http.closeIdleConnections?.();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, FLUSH_MS).unref())]);
      clearInterval(poll);
      http.closeAllConnections?.();
      await engine.dispose();
    })();
    return closing;
  };
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { url, port, engine, scheduler, metrics, close, [Symbol.asyncDispose]: () => close() };
}
