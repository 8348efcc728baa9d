/**
 * Few-shot exemplar retrieval, as OpenCompass's OpenICL retrievers: `zero` (none), `fixed`
 * (the first k of the pool, OpenCompass's FixKRetriever with indices 0..k-1), `random`
 * (seeded, per sample, reproducible) and `bm25` (the k pool items most similar to the question).
 *
 * Exemplars come from the same subset (MMLU subject, BBH task) when the pool has that subset,
 * as OpenCompass configures one dataset per subject. BM25 uses MiniSearch, whose default scoring
 * is BM25+ (k1 = 1.2, b = 0.7, d = 0.5) over our tokenizer (words; Han characters one by one); it is small, has no dependencies and keeps an in-memory
 * inverted index, which is what a pool of a few thousand exemplars needs.
 */
import MiniSearch from 'minisearch';
import { mulberry32 } from '../random.js';
import { type EvalSample, EvaluationError, type FewShotConfig } from '../types.js';

export { mulberry32 } from '../random.js';

/** FNV-1a of a string; mixes the sample id into the seed so each sample gets its own draw. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function samePart(pool: readonly EvalSample[], sample: EvalSample): readonly EvalSample[] {
  if (sample.subset === undefined) return pool;
  const same = pool.filter((p) => p.subset === sample.subset);
  return same.length > 0 ? same : pool;
}

/**
 * Words for alphabetic scripts, single characters for Han: MiniSearch's default tokenizer splits
 * on spaces and punctuation, which leaves a whole Chinese sentence as one token (CMMLU, C-Eval).
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/\p{Script=Han}|[\p{L}\p{N}]+/gu) ?? [];
}

const indexes = new WeakMap<readonly EvalSample[], MiniSearch<{ id: number; text: string }>>();

function bm25Index(pool: readonly EvalSample[]): MiniSearch<{ id: number; text: string }> {
  let ms = indexes.get(pool);
  if (!ms) {
    ms = new MiniSearch<{ id: number; text: string }>({ fields: ['text'], idField: 'id', tokenize });
    ms.addAll(pool.map((p, id) => ({ id, text: p.question })));
    indexes.set(pool, ms);
  }
  return ms;
}

/** Picks the in-context exemplars for one sample. The sample itself is never its own exemplar. */
export function selectShots(sample: EvalSample, pool: readonly EvalSample[], cfg: FewShotConfig): EvalSample[] {
  if (cfg.retriever === 'zero' || cfg.k <= 0) return [];
  if (!Number.isInteger(cfg.k)) throw new EvaluationError('EVAL_BAD_SHOTS', `few-shot k must be an integer, got ${cfg.k}.`);
  switch (cfg.retriever) {
    case 'fixed':
      return samePart(pool, sample)
        .filter((p) => p.id !== sample.id)
        .slice(0, cfg.k);
    case 'random': {
      const cands = samePart(pool, sample).filter((p) => p.id !== sample.id);
      const rnd = mulberry32((cfg.seed ?? 42) ^ fnv1a(sample.id));
      const idx = cands.map((_, i) => i);
      // Partial Fisher–Yates: the first k positions become a uniform random k-subset.
      const k = Math.min(cfg.k, idx.length);
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(rnd() * (idx.length - i));
        [idx[i], idx[j]] = [idx[j], idx[i]];
      }
      return idx.slice(0, k).map((i) => cands[i]);
    }
    case 'bm25': {
      const ms = bm25Index(pool);
      const out: EvalSample[] = [];
      const part = sample.subset;
      for (const hit of ms.search(sample.question, { combineWith: 'OR' })) {
        const p = pool[hit.id as number];
        if (p.id === sample.id) continue;
        if (part !== undefined && p.subset !== undefined && p.subset !== part) continue;
        out.push(p);
        if (out.length === cfg.k) break;
      }
      return out;
    }
    default:
      throw new EvaluationError(
        'EVAL_UNKNOWN_RETRIEVER',
        `Unknown retriever "${String((cfg as FewShotConfig).retriever)}". Use zero, fixed, random or bm25.`,
      );
  }
}
