import { serve } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import { createLabelApp, type LabelApp, type LabelAppOptions } from './api/app.js';

export interface LabelServerOptions extends LabelAppOptions {
  port?: number;
  host?: string;
}

export interface LabelServer {
  url: string;
  label: LabelApp;
  close(): Promise<void>;
}

/**
 * `puyu label serve`: the API under /api/label plus its OpenAPI document at /api/openapi.json.
 * Binds 127.0.0.1 unless told otherwise; port 0 picks a free port.
 */
export async function startLabelServer(options: LabelServerOptions): Promise<LabelServer> {
  const label = await createLabelApp(options);
  const root = new OpenAPIHono();
  const base = label.context.basePath;
  root.get('/api/openapi.json', (c) => label.app.fetch(new Request(new URL(`${base}/openapi.json`, c.req.url)), c.env));
  root.route('/', label.app);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: root.fetch, port: options.port ?? 8090, hostname: host }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8090);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    label,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await label.close();
    },
  };
}
