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

export interface RunningServer {
  url: string;
  port: number;
  engine: Engine;
  scheduler: Scheduler;
  metrics: Metrics;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Loads the model and listens. `close()` stops accepting, ends open connections and frees the engine. */
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
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await engine.dispose();
    })();
    return closing;
  };
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { url, port, engine, scheduler, metrics, close, [Symbol.asyncDispose]: close };
}
