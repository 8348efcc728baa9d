/**
 * The knowledge base on disk (one folder):
 *   config.json   — embedder, chat model, chunk size, calibrated thresholds with their PR curves
 *   files.json    — per source file: content hash, size, its chunk ids (what makes re-ingest incremental)
 *   chunks.json   — every chunk with its source, heading path, offsets, page and numeric vector key
 *   bm25.json     — the BM25 postings (rebuilt from chunks.json on save; cheap)
 *   vectors.usearch — the dense index, when an embedder is configured
 * Files are written to a temporary name and renamed, so a crash never leaves half a file.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Bm25Data, Bm25Index, buildBm25 } from './bm25.js';
import type { Chunk } from './chunk.js';
import { AssistantError } from './errors.js';
import { VectorIndex } from './vectorIndex.js';

export type RetrieverKind = 'bm25' | 'dense' | 'hybrid';

export interface PrPoint {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Calibration {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  good: number;
  bad: number;
  curve: PrPoint[];
  at: string;
}

export interface KbConfig {
  version: 1;
  /** Embedding endpoint spec (URL@model or local:PATH.gguf) and vector size. */
  embed?: { spec: string; dimensions: number };
  /** Chat model spec for the LLM steps. */
  chat?: string;
  maxChars: number;
  thresholds: Partial<Record<RetrieverKind, Calibration>>;
}

export interface StoredChunk extends Chunk {
  /** Numeric key in the vector index. */
  key: number;
  /** Set when the text looks like instructions to a model (see injection.ts). */
  injection?: boolean;
}

export interface FileRecord {
  hash: string;
  size: number;
  chunkIds: string[];
}

export interface StoreState {
  config: KbConfig;
  files: Record<string, FileRecord>;
  chunks: Map<string, StoredChunk>;
  nextKey: number;
}

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    throw new AssistantError('ASSISTANT_KB_CORRUPT', `${path} cannot be read as JSON; re-run ingest into a fresh --kb folder.`, {
      cause: e,
    });
  }
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export function defaultConfig(): KbConfig {
  return { version: 1, maxChars: 800, thresholds: {} };
}

export function hasKb(dir: string): boolean {
  return existsSync(join(dir, 'config.json'));
}

export async function loadState(dir: string, createIfMissing = false): Promise<StoreState> {
  if (!hasKb(dir)) {
    if (!createIfMissing)
      throw new AssistantError(
        'ASSISTANT_KB_NOT_FOUND',
        `${dir} is not a knowledge base (no config.json); run \`puyu assistant ingest DIR --kb ${dir}\` first.`,
      );
    return { config: defaultConfig(), files: {}, chunks: new Map(), nextKey: 1 };
  }
  const config = await readJson<KbConfig>(join(dir, 'config.json'));
  const files = existsSync(join(dir, 'files.json')) ? await readJson<Record<string, FileRecord>>(join(dir, 'files.json')) : {};
  const list = existsSync(join(dir, 'chunks.json')) ? await readJson<StoredChunk[]>(join(dir, 'chunks.json')) : [];
  const chunks = new Map(list.map((c) => [c.id, c]));
  const nextKey = list.reduce((m, c) => Math.max(m, c.key), 0) + 1;
  return { config: { ...defaultConfig(), ...config }, files, chunks, nextKey };
}

export async function saveConfig(dir: string, config: KbConfig): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomic(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** The text BM25 and the embedder see: the heading path gives a chunk its topic. */
export function indexText(c: Chunk): string {
  return c.headings.length ? `${c.headings.join(' > ')}\n${c.text}` : c.text;
}

export async function saveState(dir: string, s: StoreState, vectors?: VectorIndex): Promise<Bm25Data> {
  await mkdir(dir, { recursive: true });
  const list = [...s.chunks.values()];
  const bm25 = buildBm25(list.map((c) => ({ id: c.id, text: indexText(c) })));
  await writeAtomic(join(dir, 'chunks.json'), JSON.stringify(list));
  await writeAtomic(join(dir, 'bm25.json'), JSON.stringify(bm25));
  if (vectors) {
    const tmp = join(dir, `vectors.${process.pid}.tmp`);
    vectors.save(tmp);
    await rename(tmp, join(dir, 'vectors.usearch'));
  }
  // files.json last: a crash before it leaves the old record, so those files are redone next time.
  await writeAtomic(join(dir, 'files.json'), JSON.stringify(s.files, null, 1));
  await saveConfig(dir, s.config);
  return bm25;
}

export async function loadBm25(dir: string): Promise<Bm25Index> {
  const path = join(dir, 'bm25.json');
  return new Bm25Index(existsSync(path) ? await readJson<Bm25Data>(path) : { ids: [], lengths: [], postings: {} });
}

export function loadVectors(dir: string, config: KbConfig): VectorIndex | undefined {
  // dimensions 0: an embedder was named (createKnowledgeBase) but nothing has been embedded yet.
  return config.embed?.dimensions ? VectorIndex.load(join(dir, 'vectors.usearch'), config.embed.dimensions) : undefined;
}
