import { createHash } from 'node:crypto';
import { MinHasher } from '../dedup/minhash.js';
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

/**
 * MinHash-LSH near-dedup inside a pipeline: the same NearDeduper as `puyu data dedup`. With
 * `scope: global` (the last step) it drops nothing and writes each shard's signatures to
 * `minhash.sig`; `puyu data dedup-merge OUT` then clusters all shards together.
 */
export function minhashDedupOperator(o: NearDedupOptions & { scope?: 'shard' | 'global' } = {}): Operator {
  if (o.scope === 'global') {
    const hasher = new MinHasher(o);
    const k = hasher.opts.permutations;
    let sigs = new Uint32Array(1024 * k);
    let counts = new Uint32Array(1024);
    let n = 0;
    return {
      name: 'minhash_signatures',
      apply(doc: Doc) {
        if (n === counts.length) {
          const s2 = new Uint32Array(sigs.length * 2);
          s2.set(sigs);
          sigs = s2;
          const c2 = new Uint32Array(counts.length * 2);
          c2.set(counts);
          counts = c2;
        }
        counts[n] = hasher.signatureInto(doc.text, sigs.subarray(n * k, (n + 1) * k));
        n++;
        return null;
      },
      async finishShard(dir: string) {
        const { writeSignatureFile } = await import('../dedup/signatureFile.js');
        const { SIGNATURE_FILE } = await import('../dedup/mergeShards.js');
        const { join } = await import('node:path');
        const { ngram, seed } = hasher.opts;
        await writeSignatureFile(join(dir, SIGNATURE_FILE), {
          permutations: k,
          ngram,
          seed,
          shingles: counts.subarray(0, n),
          signatures: sigs.subarray(0, n * k),
        });
      },
    };
  }
  const dd = new NearDeduper(o);
  return {
    name: 'minhash_dedup',
    apply(doc: Doc) {
      return dd.check(doc.text).duplicateOf >= 0 ? 'near_duplicate' : null;
    },
  };
}
