/**
 * The PDF reader thread (started by pdfThread.ts): runs extractPdfInline for each job it is
 * sent, posting the page count, each page's info, then the result or the error.
 *
 * This thread has a global scope of its own, which is why it exists. pdfjs 5 inflates every
 * Flate stream (content streams, fonts, CMaps) through the global `DecompressionStream`: an
 * async web stream over zlib on libuv's thread pool, so each stream costs two thread hops and
 * several promise turns. Without it pdfjs falls back to its own synchronous inflate, which
 * measured 17–20 % faster per document on the bench set. Removing a web API from the caller's
 * process is not ours to do; removing it here touches nobody else.
 */
import { parentPort } from 'node:worker_threads';
import { extractPdfInline, type PdfOptions } from './extractPdf.js';

delete (globalThis as { DecompressionStream?: unknown }).DecompressionStream;

export interface ReaderJob {
  id: number;
  bytes: Uint8Array;
  opts: Omit<PdfOptions, 'onPage' | 'progress' | 'thread'>;
}

const port = parentPort;
if (!port) throw new Error('pdfThreadEntry runs only as a worker thread');

port.on('message', (job: ReaderJob) => {
  const { id } = job;
  extractPdfInline(
    job.bytes,
    { ...job.opts, progress: false, onPage: (info) => port.postMessage({ id, type: 'page', info }) },
    (pages, pageCount) => port.postMessage({ id, type: 'start', pages, pageCount }),
  ).then(
    (result) => port.postMessage({ id, type: 'done', result }),
    (e: unknown) => {
      const err = e as { code?: unknown; message?: unknown; name?: unknown };
      const message = typeof err?.message === 'string' ? err.message : String(e);
      port.postMessage({ id, type: 'error', error: { code: typeof err?.code === 'string' ? err.code : undefined, message } });
    },
  );
});
