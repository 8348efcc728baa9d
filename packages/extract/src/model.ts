/**
 * The document model every input format is read into (PDF, DOCX, HTML), and from which the
 * Markdown, MinerU's content_list.json and the middle.json-like layout dump are written.
 * Coordinates are PDF points with the origin at the page's top-left (as MinerU's middle.json);
 * formats without pages (DOCX, HTML) put every block on page 0 with no bbox.
 */
export type BBox = [x0: number, y0: number, x1: number, y1: number];

/** One table cell; `rowspan`/`colspan` > 1 for merged cells (then the Markdown is HTML). */
export interface TableCell {
  text: string;
  rowspan: number;
  colspan: number;
}

interface BlockBase {
  pageIdx: number;
  bbox?: BBox;
}

export interface TitleBlock extends BlockBase {
  type: 'title';
  /** 1 = top level. */
  level: number;
  text: string;
}
export interface TextBlock extends BlockBase {
  type: 'text';
  text: string;
}
export interface ListBlock extends BlockBase {
  type: 'list';
  ordered: boolean;
  items: string[];
}
export interface TableBlock extends BlockBase {
  type: 'table';
  /** Rows of anchor cells: a merged cell appears once, in its top-left row. */
  rows: TableCell[][];
  /** Pages this table was joined across (a table cut by a page break is one block). */
  pages?: number[];
}
export interface ImageBlock extends BlockBase {
  type: 'image';
  /** Path relative to the output folder, e.g. images/p3-1.png; empty when not saved. */
  path: string;
  /** The image file's bytes (PNG from PDFs; as embedded for DOCX), kept until written; absent when unreadable. */
  data?: Uint8Array;
  caption?: string;
}
export interface EquationBlock extends BlockBase {
  type: 'equation';
  /** The formula as its text layer reads (not LaTeX: no formula recogniser runs here). */
  text: string;
}

export type Block = TitleBlock | TextBlock | ListBlock | TableBlock | ImageBlock | EquationBlock;

/** A line or text run the reading-order and layout dump keep for each page. */
export interface LayoutSpan {
  bbox: BBox;
  text: string;
  fontSize: number;
  bold: boolean;
}

export interface PageInfo {
  pageIdx: number;
  width: number;
  height: number;
  /** How the page's text was obtained. */
  source: 'text' | 'ocr' | 'none';
  /** Share of characters that look garbled (private-use, U+FFFD, control); 0..1. */
  garbledRatio: number;
  /** Header, footer and page-number lines removed from the body. */
  discarded: LayoutSpan[];
  /** Milliseconds this page took. */
  ms: number;
}

export interface ExtractResult {
  /** Where it came from: 'pdf' | 'docx' | 'html'. */
  format: 'pdf' | 'docx' | 'html';
  markdown: string;
  blocks: Block[];
  pages: PageInfo[];
  /** Things a user should know: pages without a text layer, OCR unavailable, timeouts. */
  warnings: string[];
  /** Number of pages in the whole document (before any page range). */
  pageCount: number;
}
