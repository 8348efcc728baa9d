/**
 * The entry point: a path or bytes → {markdown, blocks, pages, warnings}. The format comes
 * from the bytes (%PDF, a ZIP holding word/document.xml, markup), then from the file name.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { toPuyuError } from '@puyu/core/errors';
import { docxToBlocks } from './docx.js';
import { ExtractError } from './errors.js';
import { htmlToBlocks } from './html.js';
import { toMarkdown } from './markdown.js';
import type { ExtractResult } from './model.js';
import type { PdfOptions } from './pdf/extractPdf.js';
import { extractPdf } from './pdf/pdfThread.js';

export type DocumentFormat = 'pdf' | 'docx' | 'html';

export interface ExtractOptions extends PdfOptions {
  /** Skip sniffing. */
  format?: DocumentFormat;
}

export function sniffFormat(bytes: Uint8Array, name = ''): DocumentFormat | undefined {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  if (head.startsWith('PK\u0003\u0004')) {
    const all = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 1 << 20))).toString('latin1');
    if (all.includes('word/') || /\.docx$/i.test(name)) return 'docx';
    return undefined;
  }
  const text = Buffer.from(bytes.subarray(0, 4096)).toString('utf8').trimStart().toLowerCase();
  if (/^(<!doctype html|<html|<head|<body|<meta|<div|<p[ >]|<h[1-6]|<article|<section|<!--)/.test(text) || /\.x?html?$/i.test(name))
    return 'html';
  const ext = extname(name).toLowerCase();
  return ext === '.pdf' ? 'pdf' : ext === '.docx' ? 'docx' : undefined;
}

export async function extractDocument(input: string | Uint8Array, opts: ExtractOptions = {}): Promise<ExtractResult> {
  let bytes: Uint8Array;
  let name = opts.name ?? 'document';
  if (typeof input === 'string') {
    name = opts.name ?? basename(input);
    try {
      bytes = new Uint8Array(await readFile(input));
    } catch (e) {
      throw toPuyuError(e);
    }
  } else bytes = input;
  if (bytes.length === 0) throw new ExtractError('EXTRACT_EMPTY_FILE', `${name} is empty (0 bytes); check it was written completely.`);
  const format = opts.format ?? sniffFormat(bytes, name);
  if (format === 'pdf') return extractPdf(bytes, { ...opts, name });
  if (format === 'docx') {
    const { blocks, warnings } = await docxToBlocks(bytes, name);
    return { format, markdown: toMarkdown(blocks), blocks, pages: [], warnings, pageCount: 1 };
  }
  if (format === 'html') {
    const { blocks } = htmlToBlocks(Buffer.from(bytes).toString('utf8'));
    const warnings = blocks.length ? [] : [`${name} has no readable text.`];
    return { format, markdown: toMarkdown(blocks), blocks, pages: [], warnings, pageCount: 1 };
  }
  if (/^%PDF/.test(Buffer.from(bytes.subarray(0, 8)).toString('latin1')) || /\.pdf$/i.test(name)) {
    throw new ExtractError('EXTRACT_CORRUPT', `${name} is not a readable PDF.`);
  }
  throw new ExtractError('EXTRACT_UNSUPPORTED_FORMAT', `${name} is not a PDF, DOCX or HTML document; pass one of those.`);
}
