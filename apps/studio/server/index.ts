// @puyu/studio — the Studio server: one Hono app that serves the built React SPA and mounts each
// stage's API routes over the run folders our commands write (see README.md).
import { existsSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { createStudioApp, webDir } from './app.js';
import { isLoopback, newToken } from './auth.js';
import { StudioError } from './errors.js';

export { createStudioApp, type StudioAppOptions, webDir } from './app.js';
export { isLoopback } from './auth.js';
export type { StageRoutes, StudioContext } from './context.js';
export { STUDIO_ERROR_CODES, STUDIO_ERROR_PREFIXES, type StudioErrorCode } from './errorCodes.js';
export { StudioError } from './errors.js';
export { type RunFile, type RunInfo, type RunStage, type RunStatus, scanRuns } from './runs.js';
export { STAGES } from './stages.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8000/v1';

export interface StartStudioOptions {
  runsDir: string;
  host?: string;
  port?: number;
  endpoints?: string[];
  /** Benchmark files for evaluations started from the page (default ./data). */
  dataRoot?: string;
  /** The labelling stage's database and stored files (default `<runsDir>/label`). */
  labelDir?: string;
  /** Token for a non-loopback bind; one is made up (and printed in the URL) when absent. */
  token?: string;
}

export interface RunningStudio {
  url: string;
  /** The URL to open: carries the token when one is needed. */
  openUrl: string;
  token?: string;
  webBuilt: boolean;
  close(): Promise<void>;
}

/** Starts the Studio on host:port (127.0.0.1:7860 by default). */
export async function startStudio(o: StartStudioOptions): Promise<RunningStudio> {
  const runsDir = resolve(o.runsDir);
  if (!existsSync(runsDir) || !statSync(runsDir).isDirectory())
    throw new StudioError(
      'STUDIO_RUNS_MISSING',
      `${runsDir} is not a folder: pass --runs DIR (where puyu quickstart / train / eval write their runs).`,
    );
  const host = o.host ?? '127.0.0.1';
  const token = isLoopback(host) ? o.token : (o.token ?? newToken());
  const endpoints = (o.endpoints?.length ? o.endpoints : [DEFAULT_ENDPOINT]).map((u) => u.replace(/\/+$/, ''));
  const app = createStudioApp({
    runsDir,
    endpoints,
    token,
    dataRoot: o.dataRoot ? resolve(o.dataRoot) : undefined,
    labelDir: o.labelDir ? resolve(o.labelDir) : undefined,
  });
  const server = await new Promise<ReturnType<typeof serve>>((ok, fail) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: o.port ?? 7860 }, () => ok(s));
    s.once('error', fail);
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${port}`;
  return {
    url,
    openUrl: token ? `${url}/?token=${token}` : url,
    token,
    webBuilt: existsSync(resolve(webDir(), 'index.html')),
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
