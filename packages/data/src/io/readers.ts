import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DataError } from '../errors.js';
import { type DocumentReaderOptions, readDocumentDocs, sniffDocument } from './documentReader.js';
import { type Doc, looksBinary, readJsonlDocs } from './jsonlDocs.js';
import type { MalformedLog } from './Malformed.js';
import { readBytes, stripCompression } from './openBytes.js';
import { splitLines } from './splitLines.js';

export type InputFormat = 'jsonl' | 'text' | 'parquet' | 'html' | 'pdf' | 'docx';

export const INPUT_FORMATS: readonly InputFormat[] = ['jsonl', 'text', 'parquet', 'html', 'pdf', 'docx'];

export interface ReaderOptions extends DocumentReaderOptions {
  /** Forced format; otherwise chosen by extension. */
  format?: InputFormat;
  textField?: string;
  idField?: string;
  /** Plain text: one document per file (default), per line, or per blank-line-separated paragraph. */
  split?: 'file' | 'line' | 'paragraph';
  maxLineBytes?: number;
}

export function formatOf(path: string, forced?: InputFormat): InputFormat {
  if (forced) return forced;
  const p = stripCompression(path).toLowerCase();
  if (p.endsWith('.jsonl') || p.endsWith('.json') || p.endsWith('.ndjson')) return 'jsonl';
  if (p.endsWith('.parquet')) return 'parquet';
  if (p.endsWith('.html') || p.endsWith('.htm')) return 'html';
  if (p.endsWith('.txt') || p.endsWith('.md') || p.endsWith('.text')) return 'text';
  if (p.endsWith('.pdf')) return 'pdf';
  if (p.endsWith('.docx')) return 'docx';
  throw unknownFormat(path);
}

const unknownFormat = (path: string) =>
  new DataError(
    'DATA_UNKNOWN_FORMAT',
    `${path}: no reader for this extension or content; set format: ${INPUT_FORMATS.join('|')} on the input.`,
  );

/**
 * The reader for a file: the forced format, else the extension, else — for a name no reader
 * knows — the first bytes (a PDF or DOCX saved without its extension).
 */
export async function detectFormat(path: string, forced?: InputFormat): Promise<InputFormat> {
  try {
    return formatOf(path, forced);
  } catch (e) {
    const sniffed = await sniffDocument(path).catch(() => undefined);
    if (sniffed) return sniffed;
    throw e;
  }
}

/** Documents of one input file, by format; malformed records are counted in `log`, never thrown. */
export async function* readDocs(path: string, log: MalformedLog, o: ReaderOptions = {}): AsyncGenerator<Doc> {
  const format = await detectFormat(path, o.format);
  if (format === 'pdf' || format === 'docx') yield* readDocumentDocs(path, o.format === format ? format : undefined, log, o);
  else if (format === 'jsonl') {
    for await (const r of readJsonlDocs(path, log, o)) yield r.doc;
  } else if (format === 'text') yield* readTextDocs(path, log, o);
  else if (format === 'parquet') yield* readParquetDocs(path, log, o);
  else yield* readHtmlDocs(path, log);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function* readTextDocs(path: string, log: MalformedLog, o: ReaderOptions): AsyncGenerator<Doc> {
  const split = o.split ?? 'file';
  const base = basename(path);
  try {
    if (split === 'line') {
      for await (const line of splitLines(readBytes(path), o.maxLineBytes)) {
        if (line.tooLong) {
          log.add('line_too_long', `${path}:${line.line}`, `${line.length} bytes`);
          continue;
        }
        const text = decode(line.bytes, `${path}:${line.line}`, log);
        if (text?.trim()) yield { id: `${base}:${line.line}`, text, meta: { source: path } };
      }
      return;
    }
    const chunks: Uint8Array[] = [];
    for await (const c of readBytes(path)) chunks.push(c);
    const text = decode(Buffer.concat(chunks), path, log);
    if (text === undefined) return;
    if (!text.trim()) {
      log.add('empty_file', path);
      return;
    }
    if (split === 'file') {
      yield { id: base, text, meta: { source: path } };
      return;
    }
    let i = 0;
    for (const para of text.split(/\r?\n\s*\r?\n/)) {
      if (para.trim()) yield { id: `${base}#${i}`, text: para, meta: { source: path } };
      i++;
    }
  } catch (e) {
    log.add('unreadable_file', path, e instanceof Error ? e.message : String(e));
  }
}

function decode(bytes: Uint8Array, where: string, log: MalformedLog): string | undefined {
  try {
    const s = utf8.decode(bytes);
    if (looksBinary(s)) {
      log.add('binary', where, s);
      return undefined;
    }
    return s;
  } catch {
    log.add('bad_encoding', where, Buffer.from(bytes.subarray(0, 60)).toString('latin1'));
    return undefined;
  }
}

/**
 * Rows of a Parquet file through hyparquet (pure JS; snappy built in), one row group at a time so
 * a large file streams. The text column is `textField` (default "text").
 */
async function* readParquetDocs(path: string, log: MalformedLog, o: ReaderOptions): AsyncGenerator<Doc> {
  const textField = o.textField ?? 'text';
  const idField = o.idField ?? 'id';
  try {
    const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await import('hyparquet');
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    let start = 0;
    for (const group of metadata.row_groups) {
      const n = Number(group.num_rows);
      const rows = (await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: start + n })) as Record<string, unknown>[];
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as Record<string, unknown>;
        const text = row[textField];
        if (typeof text !== 'string') {
          log.add('no_text', `${path}#${start + i}`);
          continue;
        }
        const idv = row[idField];
        yield {
          id:
            typeof idv === 'string' || typeof idv === 'number' || typeof idv === 'bigint' ? String(idv) : `${basename(path)}#${start + i}`,
          text,
          meta: jsonSafe(row),
        };
      }
      start += n;
    }
  } catch (e) {
    log.add('unreadable_file', path, e instanceof Error ? e.message : String(e));
  }
}

/** BigInt and Date fields of Parquet rows as JSON-writable values. */
function jsonSafe(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v;
  return out;
}

/**
 * The main text of an HTML page: Mozilla's Readability (the Firefox Reader View algorithm) on a
 * linkedom DOM, falling back to the body's text when Readability finds no article.
 */
async function* readHtmlDocs(path: string, log: MalformedLog): AsyncGenerator<Doc> {
  try {
    if ((await stat(path)).size === 0) {
      log.add('empty_file', path);
      return;
    }
    const html = (await readFile(path)).toString('utf8');
    const text = await htmlMainText(html);
    if (!text.text.trim()) {
      log.add('no_text', path);
      return;
    }
    yield { id: basename(path), text: text.text, meta: { source: path, title: text.title } };
  } catch (e) {
    log.add('unreadable_file', path, e instanceof Error ? e.message : String(e));
  }
}

export async function htmlMainText(html: string): Promise<{ title: string; text: string }> {
  const [{ parseHTML }, { Readability }] = await Promise.all([import('linkedom'), import('@mozilla/readability')]);
  const { document } = parseHTML(html);
  const title = document.title ?? '';
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0]).parse();
  const raw = article?.textContent ?? (document.body?.textContent as string | undefined) ?? '';
  // Readability keeps the DOM's whitespace: collapse runs inside lines and blank-line runs.
  const text = raw
    .split(/\n/)
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { title: article?.title ?? title, text };
}
