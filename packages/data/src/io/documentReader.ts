import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Doc } from './jsonlDocs.js';
import type { MalformedLog } from './Malformed.js';

export type DocumentInputFormat = 'pdf' | 'docx';

export interface DocumentReaderOptions {
  /** 'auto' (default): @puyu/extract OCRs pages without a text layer when tesseract is installed. */
  ocr?: 'auto' | 'off';
  /** A page that takes longer is skipped with a warning (default 30 s, @puyu/extract's default). */
  pageTimeoutS?: number;
  /** For encrypted PDFs; without it they are counted as `extract_failed`. */
  password?: string;
}

/**
 * The document format a file's first bytes show (the first MiB, through @puyu/extract's own
 * `sniffFormat`), for a file whose name no reader knows; undefined unless it is a PDF or DOCX.
 */
export async function sniffDocument(path: string): Promise<DocumentInputFormat | undefined> {
  const f = await open(path, 'r');
  let head: Buffer;
  try {
    head = Buffer.alloc(1 << 20);
    head = head.subarray(0, (await f.read(head, 0, head.length, 0)).bytesRead);
  } finally {
    await f.close();
  }
  const { sniffFormat } = await import('@puyu/extract');
  const format = sniffFormat(head);
  return format === 'pdf' || format === 'docx' ? format : undefined;
}

/**
 * One PDF or DOCX file as one document: its Markdown from `extractDocument` (@puyu/extract, the
 * MinerU stage), with `meta: {source, pages, format, warnings}`. @puyu/extract is imported here,
 * on the first document, so pipelines over JSONL never load pdfjs or mammoth. A file that fails to
 * extract (corrupt, encrypted, empty) is counted as `extract_failed` with its path and the
 * extractor's coded message; one with no text (a scan without OCR) as `no_text`. Nothing throws.
 */
export async function* readDocumentDocs(
  path: string,
  /** Forced by the pipeline's `format:`; otherwise @puyu/extract sniffs the bytes (a .pdf that is really a DOCX still reads). */
  format: DocumentInputFormat | undefined,
  log: MalformedLog,
  o: DocumentReaderOptions = {},
): AsyncGenerator<Doc> {
  let result: Awaited<ReturnType<typeof import('@puyu/extract')['extractDocument']>>;
  try {
    const { extractDocument } = await import('@puyu/extract');
    result = await extractDocument(path, {
      ...(format ? { format } : {}),
      images: false,
      progress: false,
      ocr: o.ocr ?? 'auto',
      ...(o.pageTimeoutS !== undefined ? { pageTimeoutMs: o.pageTimeoutS * 1000 } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    });
  } catch (e) {
    const code = typeof (e as { code?: unknown })?.code === 'string' ? `[${(e as { code: string }).code}] ` : '';
    log.add('extract_failed', path, `${code}${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const text = result.markdown.trim();
  if (!text) {
    log.add('no_text', path, result.warnings.join(' '));
    return;
  }
  yield {
    id: basename(path),
    text,
    meta: { source: path, pages: result.pageCount, format: result.format, warnings: result.warnings },
  };
}
