/**
 * Ingest a folder into a knowledge base, incrementally: a file whose content hash is unchanged
 * is skipped; a changed file's old chunks (and their vectors) are replaced; a file gone from the
 * folder is dropped. Unreadable files are reported with the reason and skipped, never fatal.
 * State is saved every `saveEvery` files, so an interrupted ingest resumes where it stopped.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isPuyuError, Progress } from '@puyu/core';
import type { ArchiveLimits } from './archive.js';
import { chunkDocument } from './chunk.js';
import { type Embedder, openEmbedder } from './embedder.js';
import { AssistantError } from './errors.js';
import { looksLikeInjection } from './injection.js';
import { isIngestible, readDocument } from './readDocument.js';
import { indexText, loadState, loadVectors, type StoredChunk, type StoreState, saveState } from './store.js';
import { VectorIndex } from './vectorIndex.js';

export const DEFAULT_MAX_FILE_BYTES = 100 * 2 ** 20;

export interface IngestOptions {
  embedder?: Embedder;
  /** Files larger than this are skipped with ASSISTANT_FILE_TOO_LARGE (default 100 MiB). */
  maxFileBytes?: number;
  archive?: ArchiveLimits;
  maxChars?: number;
  saveEvery?: number;
  /** Drop KB files that are no longer in the folder (default true; uploads into KB/docs pass false). */
  prune?: boolean;
  /** Silence the progress line (tests). */
  quiet?: boolean;
}

export interface SkippedFile {
  path: string;
  code: string;
  reason: string;
}

export interface IngestReport {
  added: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
  skipped: SkippedFile[];
  chunks: number;
  vectors: number;
  warnings: string[];
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && isIngestible(e.name) && !e.name.startsWith('.'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

function fileId(rel: string): string {
  return createHash('sha256').update(rel).digest('hex').slice(0, 12);
}

export async function ingestFolder(folder: string, kbDir: string, opts: IngestOptions = {}): Promise<IngestReport> {
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const state: StoreState = await loadState(kbDir, true);
  if (opts.maxChars) state.config.maxChars = opts.maxChars;
  const vectors = loadVectors(kbDir, state.config);
  // A KB ingested with an embedder keeps using it: every chunk must have its vector.
  const ownEmbedder = !opts.embedder && state.config.embed ? await openEmbedder(state.config.embed.spec) : undefined;
  const embedder = opts.embedder ?? ownEmbedder;
  try {
    return await ingestInto(folder, kbDir, state, vectors, embedder, maxFileBytes, opts);
  } finally {
    await ownEmbedder?.close();
  }
}

async function ingestInto(
  folder: string,
  kbDir: string,
  state: StoreState,
  vectorsIn: VectorIndex | undefined,
  embedder: Embedder | undefined,
  maxFileBytes: number,
  opts: IngestOptions,
): Promise<IngestReport> {
  let vectors = vectorsIn;
  const report: IngestReport = { added: [], updated: [], unchanged: [], removed: [], skipped: [], chunks: 0, vectors: 0, warnings: [] };
  let files: string[];
  try {
    files = await listFiles(folder);
  } catch (e) {
    throw new AssistantError(
      'ASSISTANT_NO_DOCUMENTS',
      `${folder} cannot be listed (${(e as Error).message}); pass the folder that holds the documents.`,
    );
  }
  if (!files.length && !Object.keys(state.files).length)
    throw new AssistantError('ASSISTANT_NO_DOCUMENTS', `${folder} holds no .md, .txt, .pdf, .docx or .html file.`);

  const dropFile = (rel: string) => {
    const old = state.files[rel];
    if (!old) return;
    const keys = old.chunkIds.map((id) => state.chunks.get(id)?.key).filter((k): k is number => k !== undefined);
    vectors?.remove(keys);
    for (const id of old.chunkIds) state.chunks.delete(id);
    delete state.files[rel];
  };
  for (const rel of Object.keys(state.files)) {
    if (opts.prune !== false && !files.includes(rel)) {
      dropFile(rel);
      report.removed.push(rel);
    }
  }

  const progress = new Progress({ total: files.length, label: 'ingest', unit: 'file', silent: opts.quiet });
  let sinceSave = 0;
  for (const rel of files) {
    progress.tick(1, rel);
    const path = join(folder, rel);
    try {
      const size = (await stat(path)).size;
      if (size > maxFileBytes)
        throw new AssistantError('ASSISTANT_FILE_TOO_LARGE', `${rel} is ${size} bytes, over the ${maxFileBytes}-byte limit; skipped.`);
      const bytes = new Uint8Array(await readFile(path));
      const hash = createHash('sha256').update(bytes).digest('hex');
      const old = state.files[rel];
      if (old?.hash === hash) {
        report.unchanged.push(rel);
        continue;
      }
      const doc = await readDocument(bytes, rel, opts.archive);
      report.warnings.push(...doc.warnings.map((w) => `${rel}: ${w}`));
      const chunks = chunkDocument(doc.text, rel, fileId(rel), { maxChars: state.config.maxChars, pageStarts: doc.pageStarts });
      const stored: StoredChunk[] = chunks.map((c) => ({
        ...c,
        key: state.nextKey++,
        ...(looksLikeInjection(c.text) ? { injection: true } : {}),
      }));
      let embedded: number[][] = [];
      if (embedder && stored.length) {
        embedded = await embedder.embed(stored.map(indexText));
        const dims = embedded[0]?.length ?? 0;
        if (!state.config.embed || state.config.embed.spec !== embedder.spec || state.config.embed.dimensions !== dims) {
          if (state.config.embed?.dimensions && state.config.embed.dimensions !== dims)
            throw new AssistantError(
              'ASSISTANT_EMBED_FAILED',
              `${embedder.spec} answers ${dims}-dimensional vectors but this KB holds ${state.config.embed.dimensions}; ingest into a fresh --kb to change embedder.`,
            );
          state.config.embed = { spec: embedder.spec, dimensions: dims };
        }
        vectors ??= new VectorIndex(dims);
      }
      dropFile(rel);
      for (const c of stored) state.chunks.set(c.id, c);
      if (embedded.length)
        vectors?.add(
          stored.map((c) => c.key),
          embedded,
        );
      state.files[rel] = { hash, size, chunkIds: stored.map((c) => c.id) };
      (old ? report.updated : report.added).push(rel);
    } catch (e) {
      // An embedder failure stops the run (every later file would fail too); a bad file is skipped.
      if (isPuyuError(e) && e.code === 'ASSISTANT_EMBED_FAILED') {
        await saveState(kbDir, state, vectors);
        throw e;
      }
      const code = isPuyuError(e) ? e.code : 'ASSISTANT_UNREADABLE_FILE';
      report.skipped.push({ path: rel, code, reason: (e as Error).message });
    }
    if (++sinceSave >= (opts.saveEvery ?? 25)) {
      await saveState(kbDir, state, vectors);
      sinceSave = 0;
    }
  }
  progress.finish();
  await saveState(kbDir, state, vectors);
  report.chunks = state.chunks.size;
  report.vectors = vectors?.size ?? 0;
  return report;
}
