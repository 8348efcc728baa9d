import { Hono } from 'hono';
import type { StageRoutes } from '../../context.js';
import { StudioError } from '../../errors.js';
import { jsonBody } from '../../http.js';
import { endpointParam } from './endpoint.js';

interface ChatProxyBody {
  endpoint?: string;
  request?: Record<string, unknown>;
}

/**
 * The chat playground's proxy to an OpenAI-compatible endpoint (the browser cannot reach
 * every server itself: CORS, and the API key stays here). The upstream SSE is passed through
 * as it arrives, so the page sees every delta, tool call and the final usage chunk.
 */
export const chatRoutes: StageRoutes = {
  id: 'chat',
  routes: (ctx) =>
    new Hono()
      .get('/endpoints', async (c) => {
        const list = await Promise.all(
          ctx.endpoints.map(async (url) => {
            try {
              const res = await fetch(`${url}/models`, { signal: AbortSignal.timeout(3000) });
              if (!res.ok) return { url, models: [], error: `HTTP ${res.status}` };
              const body = (await res.json()) as { data?: { id: string }[] };
              return { url, models: (body.data ?? []).map((m) => m.id) };
            } catch (e) {
              return { url, models: [], error: (e as Error).message };
            }
          }),
        );
        return c.json({ endpoints: list });
      })
      .post('/completions', async (c) => {
        const body = await jsonBody<ChatProxyBody>(c);
        const base = endpointParam(ctx, body.endpoint);
        if (!body.request || !Array.isArray(body.request.messages))
          throw new StudioError('STUDIO_BAD_REQUEST', 'the body needs request.messages (an OpenAI chat request).');
        const request = { ...body.request, stream: true, stream_options: { include_usage: true } };
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        const key = process.env.PUYU_STUDIO_API_KEY;
        if (key) headers.authorization = `Bearer ${key}`;
        let upstream: Response;
        try {
          upstream = await fetch(`${base}/chat/completions`, {
            method: 'POST',
            headers,
            body: JSON.stringify(request),
            signal: c.req.raw.signal,
          });
        } catch (e) {
          throw new StudioError('STUDIO_ENDPOINT_FAILED', `${base}: ${(e as Error).message}. Start puyu serve MODEL or fix the endpoint.`, {
            cause: e,
          });
        }
        if (!upstream.ok || !upstream.body) {
          const text = await upstream.text().catch(() => '');
          throw new StudioError(
            'STUDIO_ENDPOINT_FAILED',
            `${base}/chat/completions answered HTTP ${upstream.status}: ${text.slice(0, 500)}`,
          );
        }
        return new Response(upstream.body, {
          headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
        });
      }),
};
