/**
 * A PDF, page by page: read each page (with a time limit), find tables, check the text layer
 * (garbled → OCR when an engine is installed, else a warning), then over the whole document
 * remove running headers and footers, order each page's reading, and assemble blocks.
 */
import { Progress } from '@puyu/core/progress';
import { ExtractError } from '../errors.js';
import { toMarkdown } from '../markdown.js';
import type { BBox, ExtractResult, PageInfo } from '../model.js';
import { findAlignedTables } from './alignedTables.js';
import { assembleBlocks } from './assemble.js';
import { GARBLED_THRESHOLD, garbledRatio } from './garbled.js';
import { findRunningLines } from './headerFooter.js';
import { ocrAvailability, ocrPage } from './ocr.js';
import { type Draft, layoutPage } from './pageLayout.js';
import { openPdf } from './pdfjs.js';
import { type RawImage, readPage } from './readPage.js';
import { buildSegments, type Segment } from './segments.js';
import { type FoundTable, findTables } from './tables.js';

export interface PdfOptions {
  /** Name used in messages. */
  name?: string;
  password?: string;
  /** 1-based inclusive page range. */
  pages?: { from: number; to: number };
  /** A page that takes longer is skipped with a warning (default 30 s). */
  pageTimeoutMs?: number;
  /** Save images (default true). */
  images?: boolean;
  /** 'auto' (default): OCR pages without a usable text layer when tesseract is installed. */
  ocr?: 'auto' | 'off';
  /** Print progress to stderr (default: only for documents over 20 pages). */
  progress?: boolean;
  /** Called as each page is read, in order. */
  onPage?: (page: PageInfo) => void;
  /**
   * Where pdfjs runs: 'worker' (the default) on a reader thread of its own (see pdfThread.ts),
   * 'inline' on the calling thread. `PUYU_EXTRACT_THREAD=inline` sets the default.
   */
  thread?: 'worker' | 'inline';
}

interface PageWork {
  info: PageInfo;
  segments: Segment[];
  tables: FoundTable[];
  images: RawImage[];
  marks: BBox[];
  ocrText?: string;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Extracts a PDF on the calling thread; `extractPdf` (pdfThread.ts) runs this on the reader thread. */
export async function extractPdfInline(
  bytes: Uint8Array,
  opts: PdfOptions = {},
  /** Told the number of pages to read and the document's page count, before the first page. */
  onStart?: (pages: number, pageCount: number) => void,
): Promise<ExtractResult> {
  const name = opts.name ?? 'document.pdf';
  const doc = await openPdf(bytes, name, { password: opts.password });
  const warnings: string[] = [];
  try {
    const count = doc.numPages;
    if (count < 1) throw new ExtractError('EXTRACT_NO_PAGES', `${name} has no pages.`);
    const from = opts.pages?.from ?? 1;
    const to = Math.min(opts.pages?.to ?? count, count);
    if (from < 1 || from > count || to < from) {
      throw new ExtractError(
        'EXTRACT_BAD_PAGE_RANGE',
        `--pages ${from}-${opts.pages?.to ?? ''} is outside ${name}, which has ${count} pages.`,
      );
    }
    const timeout = opts.pageTimeoutMs ?? 30_000;
    onStart?.(to - from + 1, count);
    const progress = new Progress({ total: to - from + 1, label: `extract ${name}`, unit: 'page', silent: !(opts.progress ?? count > 20) });
    const work: PageWork[] = [];
    let ocr: Awaited<ReturnType<typeof ocrAvailability>> | undefined;
    // The next page is read while this one is laid out: pdfjs inflates font maps through
    // async zlib, so one page in flight leaves the thread idle part of the time.
    const read = (n: number) => {
      const p = withTimeout(
        (async () => {
          const page = await doc.getPage(n);
          return { page, raw: await readPage(page, opts.images ?? true) };
        })(),
        timeout,
        `page ${n}`,
      );
      p.catch(() => {}); // handled when awaited; this only keeps an early failure from going unhandled
      return p;
    };
    let pending = read(from);
    for (let n = from; n <= to; n++) {
      const current = pending;
      if (n < to) pending = read(n + 1);
      const t0 = performance.now();
      const pageIdx = n - 1;
      const info: PageInfo = { pageIdx, width: 0, height: 0, source: 'text', garbledRatio: 0, discarded: [], ms: 0 };
      const w: PageWork = { info, segments: [], tables: [], images: [], marks: [] };
      try {
        const { page, raw } = await current;
        info.width = raw.width;
        info.height = raw.height;
        const text = raw.runs.map((r) => r.text).join('');
        info.garbledRatio = garbledRatio(text);
        const noText = text.trim() === '';
        if (noText || info.garbledRatio > GARBLED_THRESHOLD) {
          const why = noText
            ? 'has no text layer'
            : `has a garbled text layer (${Math.round(info.garbledRatio * 100)}% unreadable characters)`;
          ocr ??= opts.ocr === 'off' ? { ok: false, languages: [], reason: 'OCR is turned off' } : await ocrAvailability();
          if (noText && raw.imageOps === 0 && raw.glyphOps === 0) info.source = 'none';
          else if (ocr.ok) {
            w.ocrText = await withTimeout(ocrPage(doc, page, ocr.languages, timeout), timeout, `OCR of page ${n}`);
            info.source = 'ocr';
            warnings.push(`page ${n} ${why}; its text comes from OCR (tesseract).`);
          } else {
            info.source = 'none';
            warnings.push(`page ${n} ${why} and was not OCRed: ${ocr.reason}.`);
          }
        }
        if (info.source === 'text') {
          w.tables = findTables(raw.rules, raw.runs);
          const inTable = new Set(w.tables.flatMap((t) => [...t.runs]));
          const segments = buildSegments(raw.runs.filter((r) => !inTable.has(r)));
          const aligned = findAlignedTables(segments);
          const inAligned = new Set(aligned.flatMap((t) => [...t.runs]));
          w.tables.push(...aligned);
          w.segments = segments.filter((s) => !s.runs.some((r) => inAligned.has(r)));
          w.marks = raw.marks;
        }
        w.images = raw.images;
        page.cleanup();
      } catch (e) {
        if (e instanceof ExtractError) throw e;
        warnings.push(`page ${n} was skipped: ${(e as Error).message}.`);
        info.source = 'none';
      }
      info.ms = performance.now() - t0;
      work.push(w);
      opts.onPage?.(info);
      progress.tick(1);
    }
    progress.finish();

    const running = findRunningLines(work.map((w) => ({ height: w.info.height, segments: w.segments })));
    const pages = work.map((w, i) => {
      const drop = running[i] as Set<Segment>;
      w.info.discarded = [...drop].map((s) => ({ bbox: s.bbox, text: s.text, fontSize: s.fontSize, bold: s.bold }));
      const drafts: Draft[] =
        w.ocrText !== undefined
          ? ocrDrafts(w.ocrText, w.info)
          : layoutPage(
              w.segments.filter((s) => !drop.has(s)),
              w.tables,
              w.images,
              w.marks,
            );
      return { pageIdx: w.info.pageIdx, drafts };
    });
    const blocks = assembleBlocks(pages);
    if (!blocks.length) warnings.push(`${name} gave no text: it has no text layer${ocr?.ok ? '' : ' and no OCR ran'}.`);
    return { format: 'pdf', markdown: toMarkdown(blocks), blocks, pages: work.map((w) => w.info), warnings, pageCount: count };
  } finally {
    await doc.destroy().catch(() => {});
  }
}

/** OCR text → one draft per paragraph (blank-line separated); no font sizes, so no headings. */
function ocrDrafts(text: string, info: PageInfo): Draft[] {
  const bbox: BBox = [0, 0, info.width, info.height];
  return text
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    )
    .filter((lines) => lines.length)
    .map((lines) => ({
      kind: 'lines' as const,
      columnBreak: false,
      bbox,
      lines: lines.map((l) => ({ text: l, bbox, fontSize: 0, bold: false, italic: false, baseline: 0, runs: [] })),
    }));
}
