import { createHash } from 'node:crypto';
import { NearDeduper, type NearDedupOptions } from '../dedup/NearDeduper.js';
import type { Doc } from '../io/jsonlDocs.js';
import type { Operator } from './Operator.js';

/** Exact dedup on the text after whitespace collapsing (a 16-byte MD5 per kept document). */
export function exactDedupOperator(o: { normalizeWhitespace?: boolean } = {}): Operator {
  const seen = new Set<string>();
  return {
    name: 'exact_dedup',
    apply(doc: Doc) {
      const t = (o.normalizeWhitespace ?? true) ? doc.text.replace(/\s+/g, ' ').trim() : doc.text;
      const key = createHash('md5').update(t).digest('base64');
      if (seen.has(key)) return 'exact_duplicate';
      seen.add(key);
      return null;
    },
  };
}

/** MinHash-LSH near-dedup inside a pipeline: the same NearDeduper as `puyu data dedup`. */
export function minhashDedupOperator(o: NearDedupOptions = {}): Operator {
  const dd = new NearDeduper(o);
  return {
    name: 'minhash_dedup',
    apply(doc: Doc) {
      return dd.check(doc.text).duplicateOf >= 0 ? 'near_duplicate' : null;
    },
  };
}
