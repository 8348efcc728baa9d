/**
 * Retrieval and the relevance score the rejection threshold is compared with.
 *   bm25   — ranked by BM25; score = the top hit's normalised BM25 (see bm25.ts), in [0, 1].
 *   dense  — ranked by cosine similarity in the vector index; score = the top hit's cosine.
 *   hybrid — ranked by reciprocal-rank fusion (RRF, k = 60) of both lists; score = the mean of
 *            the two top scores. RRF values depend only on ranks, so they say nothing about
 *            whether anything relevant was found; the two top scores do.
 * As in HuixiangDou's rejecter, only the best hit decides: one passage close enough is enough.
 */
import type { Bm25Index } from './bm25.js';
import type { RetrieverKind, StoredChunk } from './store.js';
import type { VectorIndex } from './vectorIndex.js';

export const RRF_K = 60;

export interface Hit {
  chunk: StoredChunk;
  /** The score the list was ranked by (bm25, cosine, or RRF). */
  score: number;
  bm25?: number;
  dense?: number;
}

export interface Retrieval {
  retriever: RetrieverKind;
  /** Relevance score for the threshold. */
  score: number;
  bm25Top?: number;
  denseTop?: number;
  hits: Hit[];
}

export interface RetrievalSources {
  chunks: Map<string, StoredChunk>;
  byKey: Map<number, StoredChunk>;
  bm25: Bm25Index;
  vectors?: VectorIndex;
  embedQuery?: (q: string) => Promise<number[]>;
}

/** Reciprocal-rank fusion of ranked id lists. */
export function rrf(lists: string[][], k = RRF_K): Map<string, number> {
  const fused = new Map<string, number>();
  for (const list of lists) for (const [rank, id] of list.entries()) fused.set(id, (fused.get(id) ?? 0) + 1 / (k + rank + 1));
  return fused;
}

export async function retrieve(src: RetrievalSources, question: string, retriever: RetrieverKind, k = 8): Promise<Retrieval> {
  const depth = Math.max(k, 50);
  const lexical = retriever === 'dense' ? [] : src.bm25.search(question, depth);
  let dense: { id: string; score: number }[] = [];
  if (retriever !== 'bm25' && src.vectors && src.embedQuery) {
    const v = await src.embedQuery(question);
    dense = src.vectors
      .search(v, depth)
      .map((h) => ({ id: src.byKey.get(h.key)?.id ?? '', score: h.score }))
      .filter((h) => h.id);
  }
  const bm25Of = new Map(lexical.map((h) => [h.id, h.score]));
  const denseOf = new Map(dense.map((h) => [h.id, h.score]));
  const bm25Top = lexical[0]?.score ?? 0;
  const denseTop = dense[0]?.score ?? 0;
  const hit = (id: string, score: number): Hit | undefined => {
    const chunk = src.chunks.get(id);
    return chunk && { chunk, score, bm25: bm25Of.get(id), dense: denseOf.get(id) };
  };
  let ranked: { id: string; score: number }[];
  let score: number;
  if (retriever === 'bm25') {
    ranked = lexical;
    score = bm25Top;
  } else if (retriever === 'dense') {
    ranked = dense;
    score = denseTop;
  } else {
    const fused = rrf([lexical.map((h) => h.id), dense.map((h) => h.id)]);
    ranked = [...fused].map(([id, s]) => ({ id, score: s })).sort((a, b) => b.score - a.score);
    score = (bm25Top + denseTop) / 2;
  }
  const hits = ranked
    .slice(0, k)
    .map((h) => hit(h.id, h.score))
    .filter((h): h is Hit => !!h);
  return {
    retriever,
    score,
    ...(retriever !== 'dense' ? { bm25Top } : {}),
    ...(retriever !== 'bm25' ? { denseTop } : {}),
    hits,
  };
}
