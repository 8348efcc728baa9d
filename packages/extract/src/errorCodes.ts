import { defineErrorCodes } from '@puyu/core';

/** The error codes @puyu/extract throws (see docs/errors.md and @puyu/core's defineErrorCodes). */
export const EXTRACT_ERROR_PREFIXES = ['EXTRACT_'] as const;

export const EXTRACT_ERROR_CODES = defineErrorCodes('@puyu/extract', EXTRACT_ERROR_PREFIXES, {
  EXTRACT_EMPTY_FILE: {
    meaning: 'The input file has no bytes.',
    action: 'Check the file was written completely, or pass a different file.',
  },
  EXTRACT_UNSUPPORTED_FORMAT: {
    meaning: 'The input is neither a PDF, a DOCX nor an HTML document.',
    action: 'Pass a .pdf, .docx, .html or .htm file (the format is read from the bytes, then the name).',
  },
  EXTRACT_ENCRYPTED: {
    meaning: 'The PDF is encrypted with a password the extractor does not have.',
    action: 'Pass the password with --password, or decrypt the file first (e.g. qpdf --decrypt).',
  },
  EXTRACT_CORRUPT: {
    meaning: 'The document is damaged or truncated beyond what the parser can repair.',
    action: 'Re-download or re-export the document; a PDF can often be repaired with qpdf or Ghostscript.',
  },
  EXTRACT_BAD_PAGE_RANGE: {
    meaning: 'A --pages range is malformed or lies outside the document.',
    action: 'Write the range as A-B (1-based, inclusive), A- or A, within the page count printed in the message.',
  },
  EXTRACT_READER_STOPPED: {
    meaning: 'The PDF reader thread stopped responding or crashed while reading a document.',
    action:
      'The file is probably malformed in a way that loops or exhausts the parser: skip it, repair it (qpdf), or read part of it with --pages.',
  },
  EXTRACT_NO_PAGES: {
    meaning: 'The PDF has no pages.',
    action: 'Check the file; a PDF with no pages has nothing to extract.',
  },
});

export type ExtractErrorCode = keyof typeof EXTRACT_ERROR_CODES;
