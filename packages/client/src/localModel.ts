import { ConfigError } from '@puyu/core';

/** A model served for the length of a run: its OpenAI base URL, the name it answers to, and how to stop it. */
export interface LocalServer {
  url: string;
  model: string;
  close(): Promise<void>;
}

/** Starts a local model file behind an OpenAI-compatible server (what a `local:PATH` spec asks for). */
export type LocalModelStarter = (path: string) => Promise<LocalServer>;

export interface LocalServeOptions {
  /** Context window in tokens (default: @puyu/serve's). */
  contextSize?: number;
  /** CPU threads (default: @puyu/serve's). */
  threads?: number;
  /** Sequences decoded together (default: @puyu/serve's). */
  sequences?: number;
}

/** The part of @puyu/serve this module calls, written out here so @puyu/client needs no serve types to build. */
export interface ServeModule {
  startServer(opts: {
    model: string;
    host: string;
    port: number;
    contextSize?: number;
    threads?: number;
    sequences?: number;
  }): Promise<{ url: string; engine: { modelName: string }; close(): Promise<void> }>;
}

// A variable, not a literal: tsc and bundlers do not follow it, so @puyu/client builds and
// installs without @puyu/serve and its native engine; only a run that names a local: model loads it.
const SERVE = '@puyu/serve';

const loadServe = (): Promise<ServeModule> => import(SERVE) as Promise<ServeModule>;

function isMissing(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(SERVE);
}

/**
 * A starter that serves a GGUF (or HF folder) in-process with @puyu/serve on a free loopback
 * port. @puyu/serve is imported on the first start, never before; `load` replaces that import
 * in tests.
 */
export function localModelStarter(opts: LocalServeOptions = {}, load: () => Promise<ServeModule> = loadServe): LocalModelStarter {
  return async (path) => {
    let serve: ServeModule;
    try {
      serve = await load();
    } catch (e) {
      if (!isMissing(e)) throw e;
      throw new ConfigError(
        'CLIENT_SERVE_UNAVAILABLE',
        `local:${path} needs @puyu/serve, which is not installed: npm install @puyu/serve, or serve the model elsewhere and pass URL@model.`,
        { cause: e },
      );
    }
    const server = await serve.startServer({ model: path, host: '127.0.0.1', port: 0, ...opts });
    return { url: server.url, model: server.engine.modelName, close: () => server.close() };
  };
}
