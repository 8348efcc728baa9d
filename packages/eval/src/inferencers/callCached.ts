import type { Provider, ProviderErrorInfo, ProviderRequest } from '@puyu/client';
import { type CachedResult, cacheKey, type SampleCache } from '../runner/SampleCache.js';

/** What an inferencer needs to ask a model: the provider, the shared cache, a stop signal. */
export interface InferContext {
  provider: Provider;
  cache?: SampleCache;
  signal?: AbortSignal;
  /** Called once per request actually sent (not for cache hits): progress and request counts. */
  onRequest?(fromCache: boolean): void;
}

export type CallOutcome = ({ ok: true; fromCache: boolean } & CachedResult) | { ok: false; error: ProviderErrorInfo };

/** One request through the cache: a hit costs nothing, a success is stored at once, a failure is never stored. */
export async function callCached(ctx: InferContext, request: ProviderRequest, variant?: string | number): Promise<CallOutcome> {
  const scope = ctx.provider.cacheScope;
  const key = ctx.cache ? cacheKey(ctx.provider.model, request, scope === undefined ? variant : `${scope}|${variant ?? ''}`) : '';
  const hit = ctx.cache?.get(key);
  if (hit) {
    ctx.onRequest?.(true);
    return { ok: true, fromCache: true, ...hit };
  }
  const r = await ctx.provider.call(request, ctx.signal);
  ctx.onRequest?.(false);
  if (!r.ok) return { ok: false, error: r.error };
  const result: CachedResult = { texts: r.texts, logprob: r.logprob, isGreedy: r.isGreedy, usage: r.usage };
  ctx.cache?.set(key, result);
  return { ok: true, fromCache: false, ...result };
}
