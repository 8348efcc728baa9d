/**
 * One file → the text that gets chunked. Markdown and text are read as UTF-8 as they are; PDF,
 * DOCX and HTML go through @puyu/extract (which turns them into Markdown blocks). For PDFs the
 * blocks are joined here, the same way @puyu/extract's toMarkdown joins them, so the start of
 * each page in the text is known and chunks can cite pages. DOCX is a ZIP: its central
 * directory is checked for a bomb before anything is inflated.
 */
import { extname } from 'node:path';
import { blockMarkdown, type DocumentFormat, extractDocument } from '@puyu/extract';
import { type ArchiveLimits, checkZipBomb } from './archive.js';
import { AssistantError } from './errors.js';

export const TEXT_EXTENSIONS = new Set(['.md', '.markdown', '.txt', '.text', '.rst']);
export const EXTRACT_EXTENSIONS: Record<string, DocumentFormat> = { '.pdf': 'pdf', '.docx': 'docx', '.html': 'html', '.htm': 'html' };

export function isIngestible(name: string): boolean {
  const ext = extname(name).toLowerCase();
  return TEXT_EXTENSIONS.has(ext) || ext in EXTRACT_EXTENSIONS;
}

export interface ReadDocument {
  text: string;
  /** Start offsets of pages 1, 2, … (PDF only). */
  pageStarts?: number[];
  warnings: string[];
}

export async function readDocument(bytes: Uint8Array, name: string, limits: ArchiveLimits = {}): Promise<ReadDocument> {
  const ext = extname(name).toLowerCase();
  if (TEXT_EXTENSIONS.has(ext)) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new AssistantError('ASSISTANT_UNREADABLE_FILE', `${name} is not UTF-8 text; convert it (e.g. iconv -t UTF-8) and re-ingest.`);
    }
    if (text.includes('\u0000')) throw new AssistantError('ASSISTANT_UNREADABLE_FILE', `${name} holds NUL bytes: it is binary, not text.`);
    return { text: text.replace(/\r\n?/g, '\n'), warnings: [] };
  }
  const format = EXTRACT_EXTENSIONS[ext];
  if (!format) throw new AssistantError('ASSISTANT_UNREADABLE_FILE', `${name}: ${ext || 'no extension'} is not a format ingest reads.`);
  if (format === 'docx') checkZipBomb(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name, limits);
  // No images (the assistant indexes text) and no OCR: ingest must not take minutes per scanned page.
  const r = await extractDocument(bytes, { name, format, images: false, ocr: 'off', progress: false });
  if (format !== 'pdf') return { text: r.markdown, warnings: r.warnings };
  const pageStarts: number[] = [];
  const parts: string[] = [];
  let length = 0;
  let lastPage = -1;
  for (const b of r.blocks) {
    const md = blockMarkdown(b);
    if (!md.trim()) continue;
    if (parts.length) length += 2;
    while (lastPage < b.pageIdx) {
      pageStarts.push(length);
      lastPage++;
    }
    parts.push(md);
    length += md.length;
  }
  return { text: parts.join('\n\n'), pageStarts, warnings: r.warnings };
}
