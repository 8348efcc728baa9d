// @puyu/extract — Document extraction (MinerU stage): PDF, DOCX and HTML to Markdown and MinerU content_list.json.
export { EXTRACT_ERROR_CODES, EXTRACT_ERROR_PREFIXES, type ExtractErrorCode } from './errorCodes.js';
export { ExtractError } from './errors.js';
export { type DocumentFormat, type ExtractOptions, extractDocument, sniffFormat } from './extractDocument.js';
export { type HtmlOptions, htmlToBlocks } from './html.js';
export { blockMarkdown, tableHtml, tableMarkdown, toMarkdown } from './markdown.js';
export { type ContentListItem, contentList, contentListItem, middleJson } from './mineru.js';
export type * from './model.js';
export { extractPdfInline, type PdfOptions } from './pdf/extractPdf.js';
export { ocrAvailability } from './pdf/ocr.js';
export { extractPdf } from './pdf/pdfThread.js';
export {
  type DocumentScore,
  headerFooterLeakage,
  headingAccuracy,
  markdownHeadings,
  markdownTables,
  normalisedEditDistance,
  plainText,
  readingOrderScore,
  scoreDocument,
  type TruthDocument,
  tableCellAccuracy,
} from './scoring/score.js';
export { type WrittenFiles, writeOutputs } from './writeOutputs.js';
