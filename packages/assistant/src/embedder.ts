/**
 * Embeddings from any OpenAI-compatible /v1/embeddings endpoint, through @puyu/client (retries,
 * timeouts, local: models). Texts go in batches; a failure is thrown with the provider's code,
 * so ingest stops and a re-run resumes from the files not yet done.
 */
import { type OpenedModel, openModel, type Provider } from '@puyu/client';
import { AssistantError } from './errors.js';

export interface Embedder {
  readonly spec: string;
  embed(texts: string[]): Promise<number[][]>;
  close(): Promise<void>;
}

export async function openEmbedder(spec: string, opts: { batchSize?: number; apiKey?: string } = {}): Promise<Embedder> {
  const opened: OpenedModel = await openModel({ spec, apiKey: opts.apiKey, timeoutMs: 120_000 });
  return embedderFor(opened.provider, spec, opts.batchSize);
}

export function embedderFor(provider: Provider, spec: string, batchSize = 32): Embedder {
  return {
    spec,
    async embed(texts) {
      if (!provider.embed) throw new AssistantError('ASSISTANT_EMBED_FAILED', `${spec} cannot embed (no /v1/embeddings).`);
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize);
        const r = await provider.embed(batch);
        if (!r.ok)
          throw new AssistantError('ASSISTANT_EMBED_FAILED', `embedding through ${spec} failed: [${r.error.code}] ${r.error.message}`, {
            details: { code: r.error.code },
          });
        if (r.embeddings.length !== batch.length)
          throw new AssistantError('ASSISTANT_EMBED_FAILED', `${spec} answered ${r.embeddings.length} vectors for ${batch.length} texts.`);
        out.push(...r.embeddings);
      }
      return out;
    },
    close: async () => provider.close?.(),
  };
}
