import { OpenAIProvider } from '@puyu/client';
import { PuyuError } from '@puyu/core';
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
 * every server itself: CORS, and the API key stays here). It goes through @puyu/client's
 * streaming (`OpenAIProvider.stream`), re-sending each event as it arrives, so the page sees every
 * delta, tool call and the final usage chunk. A refusal before the first event is a coded HTTP
 * error; a failure after it is sent as a last `{"error": …}` event, as OpenAI servers do.
 */
export const chatRoutes: StageRoutes = {
  id: 'chat',
  routes: (ctx) =>
    new Hono()
      .get('/endpoints', async (c) => {
        const list = await Promise.all(
          ctx.endpoints.map(async (url) => {
            const r = await provider(url, '').models(AbortSignal.timeout(3000));
            return r.ok ? { url, models: r.ids } : { url, models: [], error: r.error.message };
          }),
        );
        return c.json({ endpoints: list });
      })
      .post('/completions', async (c) => {
        const body = await jsonBody<ChatProxyBody>(c);
        const base = endpointParam(ctx, body.endpoint);
        if (!body.request || !Array.isArray(body.request.messages))
          throw new StudioError('STUDIO_BAD_REQUEST', 'the body needs request.messages (an OpenAI chat request).');
        const { model, ...request } = body.request;
        const events = provider(base, typeof model === 'string' ? model : '')
          .stream('/chat/completions', { ...request, stream_options: { include_usage: true } }, c.req.raw.signal)
          [Symbol.asyncIterator]();
        let first: IteratorResult<Record<string, unknown>>;
        try {
          first = await events.next();
        } catch (e) {
          throw new StudioError(
            'STUDIO_ENDPOINT_FAILED',
            `${base}/chat/completions: ${(e as Error).message}. Start puyu serve MODEL or fix the endpoint.`,
            { cause: e },
          );
        }
        const encoder = new TextEncoder();
        const sse = (data: unknown) => encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
        let next: IteratorResult<Record<string, unknown>> | undefined = first;
        const stream = new ReadableStream<Uint8Array>({
          async pull(controller) {
            try {
              const r = next ?? (await events.next());
              next = undefined;
              if (r.done) {
                controller.enqueue(sse('[DONE]'));
                controller.close();
              } else controller.enqueue(sse(r.value));
            } catch (e) {
              const code = e instanceof PuyuError ? e.code : 'PROVIDER_NETWORK';
              controller.enqueue(sse({ error: { code, message: (e as Error).message } }));
              controller.close();
            }
          },
          async cancel() {
            await events.return?.(undefined);
          },
        });
        return new Response(stream, {
          headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
        });
      }),
};

/** One client per request: the page names the endpoint and model each time; retries once before streaming. */
function provider(baseUrl: string, model: string): OpenAIProvider {
  return new OpenAIProvider({ baseUrl, model, apiKey: process.env.PUYU_STUDIO_API_KEY, maxRetries: 1, timeoutMs: 60_000 });
}
