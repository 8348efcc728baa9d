import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { Progress } from '@puyu/core';
import { DataError } from '../errors.js';
import { readJsonlDocs } from '../io/jsonlDocs.js';
import { MalformedLog } from '../io/Malformed.js';
import { NearDeduper, type NearDedupOptions } from './NearDeduper.js';

export interface DedupJsonlOptions extends NearDedupOptions {
  textField?: string;
  force?: boolean;
  /** Also write `{id, duplicate_of, similarity}` for each removed line here. */
  removedPath?: string;
  silent?: boolean;
}

export interface DedupStats {
  read: number;
  kept: number;
  removed: number;
  bytesIn: number;
  seconds: number;
  bands: number;
  rows: number;
  malformed: ReturnType<MalformedLog['toJSON']>;
}

/**
 * `puyu data dedup`: MinHash-LSH near-dedup of a JSONL file. Kept lines are written byte for
 * byte as they were read; the first document of each near-duplicate cluster is kept.
 */
export async function dedupJsonl(input: string, output: string, o: DedupJsonlOptions = {}): Promise<DedupStats> {
  if (!o.force && existsSync(output)) throw new DataError('DATA_OUTPUT_EXISTS', `${output} exists; remove it or pass --force.`);
  const dedup = new NearDeduper(o);
  const log = new MalformedLog();
  const total = (await stat(input)).size;
  const progress = new Progress({ total, label: 'dedup', unit: 'B', silent: o.silent });
  const out = createWriteStream(output);
  const removed = o.removedPath ? createWriteStream(o.removedPath) : undefined;
  const keptIds: string[] = [];
  const t0 = performance.now();
  let read = 0;
  let kept = 0;
  let bytesIn = 0;
  const nl = Buffer.from('\n');
  for await (const { doc, raw } of readJsonlDocs(input, log, { textField: o.textField })) {
    read++;
    bytesIn += raw.length + 1;
    const v = dedup.check(doc.text);
    if (v.duplicateOf < 0) {
      kept++;
      keptIds.push(doc.id);
      if (!out.write(raw)) await once(out, 'drain');
      out.write(nl);
    } else if (removed) {
      removed.write(`${JSON.stringify({ id: doc.id, duplicate_of: keptIds[v.duplicateOf], similarity: v.similarity })}\n`);
    }
    if (read % 1000 === 0) progress.update(Math.min(bytesIn, total));
  }
  progress.update(total);
  progress.finish(`${kept}/${read} kept`);
  out.end();
  removed?.end();
  await Promise.all([finished(out), removed ? finished(removed) : undefined]);
  const { bands, rows } = dedup.hasher.opts;
  return { read, kept, removed: read - kept, bytesIn, seconds: (performance.now() - t0) / 1000, bands, rows, malformed: log.toJSON() };
}
