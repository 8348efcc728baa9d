/**
 * Optional reranking of the fused passages: a rerank endpoint (POST {base}/rerank with
 * {model, query, documents}, answering results[].{index, relevance_score}, the shape TEI, Jina and
 * vLLM serve) or the chat model scoring each passage 0–10 (slow: one call per passage).
 */
import type { Provider } from '@puyu/client';
import * as P from './prompts.js';
import type { Hit } from './retrieve.js';

export interface Reranker {
  readonly id: string;
  rerank(question: string, hits: Hit[]): Promise<Hit[]>;
}

export function endpointReranker(baseUrl: string, model: string, apiKey?: string): Reranker {
  const url = `${baseUrl.replace(/\/+$/, '')}/rerank`;
  return {
    id: `rerank ${model}@${baseUrl}`,
    async rerank(question, hits) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify({ model, query: question, documents: hits.map((h) => h.chunk.text) }),
        signal: AbortSignal.timeout(60_000),
      }).catch(() => undefined);
      // A failing reranker leaves the fused order: reranking improves answers, it must not block them.
      if (!res?.ok) return hits;
      const body = (await res.json().catch(() => ({}))) as { results?: { index: number; relevance_score: number }[] };
      const results = body.results ?? [];
      return results.filter((r) => hits[r.index]).map((r) => ({ ...(hits[r.index] as Hit), score: r.relevance_score }));
    },
  };
}

export function llmReranker(chat: Provider): Reranker {
  return {
    id: `llm ${chat.id}`,
    async rerank(question, hits) {
      const scored = await Promise.all(
        hits.map(async (h) => {
          const r = await chat.call({
            kind: 'chat',
            messages: P.llmRerankPrompt(question, h.chunk.text),
            params: { maxTokens: 8, temperature: 0 },
          });
          const s = r.ok ? P.parseScore(r.texts[0] ?? '') : undefined;
          return { hit: h, s: s ?? -1 };
        }),
      );
      // Stable: equal scores keep the fused order.
      return scored
        .map((x, i) => ({ ...x, i }))
        .sort((a, b) => b.s - a.s || a.i - b.i)
        .map((x) => ({ ...x.hit, score: x.s }));
    },
  };
}
