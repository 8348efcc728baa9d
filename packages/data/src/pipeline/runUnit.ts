import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Doc } from '../io/jsonlDocs.js';
import { MalformedLog } from '../io/Malformed.js';
import { readDocs } from '../io/readers.js';
import { ShardedJsonlWriter } from '../io/ShardedJsonlWriter.js';
import type { Operator } from '../ops/Operator.js';
import { buildOperators } from './buildOperators.js';
import type { PipelineConfig } from './config.js';
import { emptyStage, type UnitStats } from './UnitStats.js';

export const DONE_MARKER = '.done.json';

/** The unit's kept documents, tokenized into `tokens.ptok` or InternEvo's `train.bin` (+ `.meta`). */
async function tokenizeUnit(cfg: PipelineConfig, dir: string, outputs: string[]): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { SentencePieceTokenizer } = await import('@puyu/formats/tokenizer');
  const { writeInternEvoBin, writePtok } = await import('../export/exports.js');
  const tok = SentencePieceTokenizer.load(await readFile(cfg.output.tokenizer as string));
  const log = new MalformedLog();
  async function* docs(): AsyncGenerator<Doc> {
    for (const f of outputs) yield* readDocs(join(cfg.output.dir, f), log);
  }
  const path = join(dir, cfg.output.tokenized === 'internevo' ? 'train.bin' : 'tokens.ptok');
  if (cfg.output.tokenized === 'internevo') await writeInternEvoBin(path, docs(), tok);
  else await writePtok(path, docs(), tok);
  return path.slice(cfg.output.dir.length + 1);
}

export function unitDir(cfg: PipelineConfig, unit: number): string {
  return join(cfg.output.dir, `shard-${String(unit).padStart(5, '0')}`);
}

/** A document as an output line: the input's fields, the current text, and the metadata operators added. */
function outputLine(doc: Doc): string {
  return JSON.stringify({ ...doc.meta, id: doc.id, text: doc.text });
}

/**
 * Runs the pipeline over one unit (a group of input files) into `shard-NNNNN/`: reads, applies
 * the operators in order, writes kept documents, and finally writes `.done.json` with the stats.
 * A unit whose folder has no done marker is redone from scratch, so a killed run resumes with
 * the same bytes: every operator's state (dedup tables) lives inside one unit.
 */
export async function runUnit(cfg: PipelineConfig, unit: number, inputs: string[], onDoc?: () => void): Promise<UnitStats> {
  const dir = unitDir(cfg, unit);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const ops: Operator[] = await buildOperators(cfg);
  const stages = ops.map((o) => emptyStage(o.name));
  const log = new MalformedLog(cfg.examplesPerReason);
  const writer = new ShardedJsonlWriter({ dir, gzip: cfg.output.gzip, maxDocs: cfg.output.maxDocsPerFile });
  const dropped = cfg.output.keepDropped
    ? new ShardedJsonlWriter({ dir: join(dir, 'dropped'), gzip: cfg.output.gzip, maxDocs: cfg.output.maxDocsPerFile })
    : undefined;
  const stats: UnitStats = {
    unit,
    inputs,
    read: 0,
    kept: 0,
    bytesRead: 0,
    bytesKept: 0,
    seconds: 0,
    stages,
    malformed: log.toJSON(),
    lengthHistogram: {},
    languages: {},
    outputs: [],
  };
  try {
    for (const path of inputs) {
      for await (const doc of readDocs(path, log, cfg.input)) {
        stats.read++;
        let bytes = Buffer.byteLength(doc.text);
        let before = doc.text;
        stats.bytesRead += bytes;
        let reason: string | null = null;
        for (let i = 0; i < ops.length; i++) {
          const st = stages[i] as (typeof stages)[number];
          st.docsIn++;
          st.bytesIn += bytes;
          const t = performance.now();
          const r = (ops[i] as Operator).apply(doc);
          reason = typeof r === 'string' || r === null ? r : await r;
          st.seconds += (performance.now() - t) / 1000;
          if (reason !== null) {
            st.drops[reason] = (st.drops[reason] ?? 0) + 1;
            const ex = st.examples[reason] ?? [];
            st.examples[reason] = ex;
            if (ex.length < cfg.examplesPerReason) ex.push({ id: doc.id, text: doc.text.slice(0, 300) });
            break;
          }
          // Most operators keep the very same string: measure only a changed text.
          if (doc.text !== before) {
            bytes = Buffer.byteLength(doc.text);
            before = doc.text;
          }
          st.docsOut++;
          st.bytesOut += bytes;
        }
        onDoc?.();
        if (reason !== null) {
          if (dropped) await dropped.write(JSON.stringify({ id: doc.id, reason, text: doc.text }));
          continue;
        }
        stats.kept++;
        stats.bytesKept += bytes;
        const b = String(Math.floor(Math.log2(Math.max(1, doc.text.length))));
        stats.lengthHistogram[b] = (stats.lengthHistogram[b] ?? 0) + 1;
        const lang = typeof doc.meta.lang === 'string' ? doc.meta.lang : 'unlabelled';
        stats.languages[lang] = (stats.languages[lang] ?? 0) + 1;
        await writer.write(outputLine(doc));
      }
    }
    for (const op of ops) await op.finishShard?.(dir);
  } finally {
    for (const op of ops) await op.close?.();
  }
  stats.outputs = (await writer.close()).map((f) => f.slice(cfg.output.dir.length + 1));
  if (dropped) await dropped.close();
  if (cfg.output.tokenizer) stats.outputs.push(await tokenizeUnit(cfg, dir, stats.outputs));
  ops.forEach((op, i) => {
    if (op.events) for (const [k, v] of op.events) (stages[i] as (typeof stages)[number]).events[k] = v;
  });
  stats.malformed = log.toJSON();
  stats.seconds = (performance.now() - t0) / 1000;
  // Written under another name and renamed: a kill mid-write never leaves a half marker.
  await writeFile(join(dir, `${DONE_MARKER}.tmp`), `${JSON.stringify(stats, null, 1)}\n`);
  await rename(join(dir, `${DONE_MARKER}.tmp`), join(dir, DONE_MARKER));
  return stats;
}
