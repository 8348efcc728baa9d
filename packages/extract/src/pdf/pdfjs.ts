/**
 * Loads pdfjs-dist's legacy build (the one that runs on Node without a browser) once, and
 * opens documents with it, turning its exceptions into coded errors.
 */
import { ExtractError } from '../errors.js';

export type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
export type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
export type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;

let loaded: Promise<PdfJs> | undefined;

export function loadPdfJs(): Promise<PdfJs> {
  loaded ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return loaded;
}

export interface OpenOptions {
  password?: string;
}

/** Opens a PDF from bytes; encrypted, corrupt and empty files become ExtractErrors. */
export async function openPdf(bytes: Uint8Array, name: string, opts: OpenOptions = {}): Promise<PdfDocument> {
  const pdfjs = await loadPdfJs();
  // pdfjs takes ownership of (and detaches) the buffer it is given, so it gets a copy.
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    password: opts.password,
    verbosity: 0,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    stopAtErrors: false,
  });
  try {
    return await task.promise;
  } catch (e) {
    await task.destroy().catch(() => {});
    const err = e as { name?: string; message?: string; code?: number };
    if (err?.name === 'PasswordException') {
      throw new ExtractError(
        'EXTRACT_ENCRYPTED',
        `${name} is encrypted${opts.password ? ' and the password given is wrong' : ''}; pass --password or decrypt it first.`,
        { cause: e },
      );
    }
    if (err?.name === 'InvalidPDFException' || err?.name === 'UnknownErrorException' || err?.name === 'FormatError') {
      throw new ExtractError('EXTRACT_CORRUPT', `${name} is not a readable PDF (${err.message ?? err.name}); re-export or repair it.`, {
        cause: e,
      });
    }
    throw new ExtractError('EXTRACT_CORRUPT', `${name} could not be opened as a PDF (${err?.message ?? String(e)}).`, { cause: e });
  }
}
