/**
 * `extractPdf`: runs the PDF extractor on a reader thread of its own (pdfThreadEntry.ts), one
 * per process, started on first use and kept while jobs are pending (it does not keep the
 * process alive when idle). The thread gives pdfjs a global scope in which its slow async
 * inflate can be turned off (see the entry file), keeps pdfjs's polyfills and long parses off the
 * caller's thread (a Studio or assistant server stays responsive), and makes a parser stuck in a
 * synchronous loop recoverable: a watchdog ends the thread and the job fails with a coded error
 * instead of hanging the process.
 *
 * Falls back to the calling thread when the built reader is missing (running from sources with no
 * `dist/`), with `thread: 'inline'`, or with PUYU_EXTRACT_THREAD=inline.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PuyuError } from '@puyu/core/errors';
import { Progress } from '@puyu/core/progress';
import type { ExtractErrorCode } from '../errorCodes.js';
import { ExtractError } from '../errors.js';
import type { ExtractResult, PageInfo } from '../model.js';
import { extractPdfInline, type PdfOptions } from './extractPdf.js';
import type { ReaderJob } from './pdfThreadEntry.js';

type ReaderMessage =
  | { id: number; type: 'start'; pages: number; pageCount: number }
  | { id: number; type: 'page'; info: PageInfo }
  | { id: number; type: 'done'; result: ExtractResult }
  | { id: number; type: 'error'; error: { code?: string; message: string } };

interface Pending {
  name: string;
  opts: PdfOptions;
  /** Longest silence from the reader this job tolerates before the watchdog ends the thread. */
  stallMs: number;
  lastPage: number;
  progress?: Progress;
  resolve: (r: ExtractResult) => void;
  reject: (e: Error) => void;
}

let reader: Worker | undefined;
let lastHeard = 0;
let watchdog: NodeJS.Timeout | undefined;
const pending = new Map<number, Pending>();
let nextId = 1;

/** The reader's JavaScript: beside this file in dist/, or the package's dist/ when running from src/. */
function readerUrl(): URL | undefined {
  for (const rel of ['./pdfThreadEntry.js', '../../dist/pdf/pdfThreadEntry.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

function failAll(err: Error): void {
  for (const job of pending.values()) {
    job.progress?.finish();
    job.reject(err);
  }
  pending.clear();
}

function stopReader(): void {
  const r = reader;
  reader = undefined;
  if (watchdog) clearInterval(watchdog);
  watchdog = undefined;
  void r?.terminate();
}

function onMessage(m: ReaderMessage): void {
  lastHeard = Date.now();
  const job = pending.get(m.id);
  if (!job) return;
  if (m.type === 'start') {
    job.progress = new Progress({
      total: m.pages,
      label: `extract ${job.name}`,
      unit: 'page',
      silent: !(job.opts.progress ?? m.pageCount > 20),
    });
  } else if (m.type === 'page') {
    job.lastPage = m.info.pageIdx + 1;
    job.opts.onPage?.(m.info);
    job.progress?.tick(1);
  } else {
    pending.delete(m.id);
    job.progress?.finish();
    if (m.type === 'done') job.resolve(m.result);
    else job.reject(rebuildError(m.error));
    if (!pending.size) reader?.unref();
  }
}

function rebuildError(e: { code?: string; message: string }): Error {
  if (e.code?.startsWith('EXTRACT_')) return new ExtractError(e.code as ExtractErrorCode, e.message);
  if (e.code) return new PuyuError(e.code, e.message);
  return new Error(e.message);
}

function startReader(url: URL): Worker {
  // The reader runs the built JavaScript, so the parent's `--conditions source` (tsx, vitest) is left out.
  const execArgv = process.execArgv.filter((a, i, all) => !a.startsWith('--conditions') && all[i - 1] !== '--conditions' && a !== '-C');
  // pdfjs allocates many short-lived objects (tokens, glyphs, cloned messages): with V8's default
  // young generation a fifth of the reader's time went to scavenges. 64 MB measured ~15–20 %
  // faster per document on the bench set (48 MB less, 96–160 MB no better).
  const w = new Worker(url, { execArgv, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  w.on('message', onMessage);
  const died = (why: string) => {
    if (reader !== w) return;
    stopReader();
    failAll(new ExtractError('EXTRACT_READER_STOPPED', `the PDF reader thread stopped (${why}); the document was not read.`));
  };
  w.on('error', (e) => died(e.message));
  w.on('exit', (code) => died(`exit code ${code}`));
  lastHeard = Date.now();
  watchdog = setInterval(() => {
    if (!pending.size) return;
    const silent = Date.now() - lastHeard;
    const limit = Math.max(...[...pending.values()].map((j) => j.stallMs));
    if (silent < limit) return;
    const where = [...pending.values()].map((j) => `${j.name} after page ${j.lastPage}`).join(', ');
    stopReader();
    failAll(
      new ExtractError(
        'EXTRACT_READER_STOPPED',
        `pdfjs gave no sign of progress for ${Math.round(silent / 1000)} s (${where}) and its thread was ended; skip or repair the file, or read part of it with --pages.`,
      ),
    );
  }, 1000);
  watchdog.unref();
  return w;
}

export async function extractPdf(bytes: Uint8Array, opts: PdfOptions = {}): Promise<ExtractResult> {
  const mode = opts.thread ?? (process.env.PUYU_EXTRACT_THREAD === 'inline' ? 'inline' : 'worker');
  const url = mode === 'worker' ? readerUrl() : undefined;
  if (!url) return extractPdfInline(bytes, opts);
  reader ??= startReader(url);
  reader.ref();
  const id = nextId++;
  const name = opts.name ?? 'document.pdf';
  const { onPage: _onPage, progress: _progress, thread: _thread, ...rest } = opts;
  const pageTimeout = opts.pageTimeoutMs ?? 30_000;
  const copy = bytes.slice(); // transferred to the reader; the caller keeps its bytes
  return new Promise<ExtractResult>((resolve, reject) => {
    pending.set(id, { name, opts, stallMs: 2 * pageTimeout + 30_000, lastPage: 0, resolve, reject });
    const job: ReaderJob = { id, bytes: copy, opts: rest };
    reader?.postMessage(job, [copy.buffer as ArrayBuffer]);
  });
}
