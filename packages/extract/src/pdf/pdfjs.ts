/**
 * Loads pdfjs-dist's legacy build (the one that runs on Node without a browser) once, and
 * opens documents with it, turning its exceptions into coded errors.
 */
import { ExtractError } from '../errors.js';

export type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
export type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
export type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;

let loaded: Promise<PdfJs> | undefined;
let sharedWorker: InstanceType<PdfJs['PDFWorker']> | undefined;

/**
 * The legacy build carries core-js polyfills that replace some built-ins the engine already
 * has (Array.prototype.push among them: a JS function in place of the native one, which
 * slowed every push in the process, ours included, by a measured ~15 %). Built-ins that
 * existed before the import are put back; polyfills for missing features stay.
 */
const BUILTINS: object[] = [
  Array,
  Array.prototype,
  Object,
  Promise,
  Promise.prototype,
  Map.prototype,
  Set.prototype,
  String.prototype,
  Uint8Array,
  Uint8Array.prototype,
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  JSON,
  Math,
];

let snapshot: Map<string | symbol, PropertyDescriptor | undefined>[] | undefined;

/** Puts back every built-in that existed before pdfjs was imported and has been replaced since. */
function restoreBuiltins(): void {
  if (!snapshot) return;
  BUILTINS.forEach((o, i) => {
    for (const [key, desc] of snapshot?.[i] ?? []) {
      const now = Object.getOwnPropertyDescriptor(o, key);
      if (desc && now && (now.value !== desc.value || now.get !== desc.get) && desc.configurable) Object.defineProperty(o, key, desc);
    }
  });
}

async function importRestoringBuiltins(): Promise<PdfJs> {
  snapshot = BUILTINS.map((o) => new Map(Reflect.ownKeys(o).map((k) => [k, Object.getOwnPropertyDescriptor(o, k)])));
  const mod = await import('pdfjs-dist/legacy/build/pdf.mjs');
  restoreBuiltins();
  return mod;
}

export function loadPdfJs(): Promise<PdfJs> {
  loaded ??= importRestoringBuiltins();
  return loaded;
}

export interface OpenOptions {
  password?: string;
}

/** Opens a PDF from bytes; encrypted, corrupt and empty files become ExtractErrors. */
export async function openPdf(bytes: Uint8Array, name: string, opts: OpenOptions = {}): Promise<PdfDocument> {
  const pdfjs = await loadPdfJs();
  // One pdfjs worker (in this thread, on Node) serves every document: setting one up per
  // document cost a few percent on short documents.
  sharedWorker ??= new pdfjs.PDFWorker({ verbosity: 0 });
  // pdfjs takes ownership of (and detaches) the buffer it is given, so it gets a copy.
  const task = pdfjs.getDocument({
    worker: sharedWorker,
    data: new Uint8Array(bytes),
    password: opts.password,
    verbosity: 0,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    stopAtErrors: false,
  });
  try {
    const doc = await task.promise;
    // The worker module (loaded with the first document) brings its own copy of the polyfills.
    restoreBuiltins();
    return doc;
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
