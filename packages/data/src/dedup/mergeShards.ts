import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { DataError } from '../errors.js';
import { readBytes } from '../io/openBytes.js';
import { splitLines } from '../io/splitLines.js';
import { DONE_MARKER } from '../pipeline/runUnit.js';
import type { UnitStats } from '../pipeline/UnitStats.js';
import { NearDeduper, type NearDedupOptions } from './NearDeduper.js';
import { readSignatureFile } from './signatureFile.js';

export const SIGNATURE_FILE = 'minhash.sig';

export interface MergeStats {
  shards: number;
  docs: number;
  kept: number;
  removed: number;
  /** Output folder of the deduplicated shards. */
  dir: string;
}

/**
 * The cluster stage of a global MinHash dedup over a sharded run: the signatures every shard
 * wrote (`minhash_dedup: { scope: global }`, the last step) are read in shard order and run
 * through one NearDeduper — the first document of each cluster across all shards is kept —
 * then each shard's kept lines are copied, byte for byte, to `OUT/dedup/shard-NNNNN/`.
 * Signatures are ~0.5 KB per document, so one process clusters ~10⁷ documents in ~10 GB; the
 * shards' reading and hashing stay spread over the --shard tasks.
 */
export async function mergeMinhashShards(outDir: string, o: NearDedupOptions = {}): Promise<MergeStats> {
  const shards = (await readdir(outDir)).filter((d) => /^shard-\d+$/.test(d)).sort();
  if (shards.length === 0) throw new DataError('DATA_NO_INPUT', `${outDir} has no shard-NNNNN folders: run puyu data run first.`);
  let dd: NearDeduper | undefined;
  const removedByShard: Set<number>[] = [];
  let docs = 0;
  for (const s of shards) {
    if (!existsSync(join(outDir, s, DONE_MARKER)))
      throw new DataError('DATA_BAD_SIGNATURES', `${s} is not finished: rerun puyu data run (it resumes) before merging.`);
    const sigPath = join(outDir, s, SIGNATURE_FILE);
    if (!existsSync(sigPath))
      throw new DataError(
        'DATA_BAD_SIGNATURES',
        `${sigPath} is missing: the pipeline's last step must be minhash_dedup with scope: global.`,
      );
    const set = await readSignatureFile(sigPath);
    dd ??= new NearDeduper({ ...o, permutations: set.permutations, ngram: set.ngram, seed: set.seed });
    if (dd.hasher.opts.permutations !== set.permutations || dd.hasher.opts.seed !== set.seed || dd.hasher.opts.ngram !== set.ngram)
      throw new DataError('DATA_BAD_SIGNATURES', `${sigPath} was made with other MinHash parameters than the shards before it.`);
    const removed = new Set<number>();
    for (let i = 0; i < set.shingles.length; i++) {
      const sig = set.signatures.subarray(i * set.permutations, (i + 1) * set.permutations);
      if (dd.checkSignature(sig, set.shingles[i] as number).duplicateOf >= 0) removed.add(i);
    }
    docs += set.shingles.length;
    removedByShard.push(removed);
  }
  const dest = join(outDir, 'dedup');
  let kept = 0;
  for (let k = 0; k < shards.length; k++) {
    const s = shards[k] as string;
    const stats = JSON.parse(await readFile(join(outDir, s, DONE_MARKER), 'utf8')) as UnitStats;
    const removed = removedByShard[k] as Set<number>;
    await mkdir(join(dest, s), { recursive: true });
    let index = 0;
    for (const f of stats.outputs.filter((x) => /\.jsonl(\.gz)?$/.test(x))) {
      if (f.endsWith('.gz'))
        throw new DataError('DATA_BAD_PIPELINE', 'the global dedup merge copies plain JSONL shards; set output.gzip: false.');
      const out = createWriteStream(join(dest, f));
      for await (const line of splitLines(readBytes(join(outDir, f)))) {
        if (!removed.has(index++)) {
          kept++;
          if (!out.write(line.bytes)) await once(out, 'drain');
          out.write('\n');
        }
      }
      out.end();
      await finished(out);
    }
  }
  const result = { shards: shards.length, docs, kept, removed: docs - kept, dir: dest };
  await writeFile(join(dest, 'merge.json'), `${JSON.stringify(result, null, 1)}\n`);
  return result;
}
