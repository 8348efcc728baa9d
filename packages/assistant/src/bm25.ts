/**
 * Okapi BM25 over the chunks (k1 = 1.2, b = 0.75, Lucene's idf). Besides the raw score, each hit
 * has a score normalised to [0, 1]: raw / Σ idf(t)·(k1+1) over the query's distinct words, the
 * most a document could score. Raw BM25 grows with query length, so one threshold cannot fit it;
 * the ratio can be calibrated. A query word the KB has never seen counts with df = 0, so a
 * question about something absent scores low, which is what rejection needs.
 */
import { tokenize } from './tokenize.js';

const K1 = 1.2;
const B = 0.75;

export interface Bm25Data {
  ids: string[];
  lengths: number[];
  /** term → flat [docIndex, tf, docIndex, tf, …]. */
  postings: Record<string, number[]>;
}

export interface ScoredId {
  id: string;
  /** In [0, 1] for BM25 (see above); cosine similarity for dense. */
  score: number;
}

export function buildBm25(docs: { id: string; text: string }[]): Bm25Data {
  const postings = new Map<string, number[]>();
  const lengths: number[] = [];
  docs.forEach((d, i) => {
    const tf = new Map<string, number>();
    const words = tokenize(d.text);
    for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
    lengths.push(words.length);
    for (const [w, n] of tf) {
      const p = postings.get(w);
      if (p) p.push(i, n);
      else postings.set(w, [i, n]);
    }
  });
  return { ids: docs.map((d) => d.id), lengths, postings: Object.fromEntries(postings) };
}

export class Bm25Index {
  private readonly avgLength: number;
  constructor(private readonly data: Bm25Data) {
    const total = data.lengths.reduce((a, b) => a + b, 0);
    this.avgLength = data.lengths.length ? total / data.lengths.length : 1;
  }

  get size(): number {
    return this.data.ids.length;
  }

  private idf(term: string): number {
    const n = this.data.ids.length;
    const df = (this.data.postings[term]?.length ?? 0) / 2;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  search(query: string, k: number): ScoredId[] {
    const terms = [...new Set(tokenize(query))];
    if (!terms.length || !this.size) return [];
    const maxPossible = terms.reduce((s, t) => s + this.idf(t) * (K1 + 1), 0);
    const scores = new Map<number, number>();
    for (const t of terms) {
      const p = this.data.postings[t];
      if (!p) continue;
      const idf = this.idf(t);
      for (let j = 0; j < p.length; j += 2) {
        const doc = p[j] as number;
        const tf = p[j + 1] as number;
        const norm = tf + K1 * (1 - B + (B * (this.data.lengths[doc] as number)) / this.avgLength);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (K1 + 1)) / norm);
      }
    }
    return [...scores]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([doc, raw]) => ({ id: this.data.ids[doc] as string, score: raw / maxPossible }));
  }
}
