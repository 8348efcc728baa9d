/**
 * OCR fallback for pages with no usable text layer: the page is rendered by pdfjs onto
 * @napi-rs/canvas and read by Debian's `tesseract` command (tesseract-ocr, with the
 * tesseract-ocr-chi-sim data for Chinese). Both are optional; `ocrAvailability` says which
 * is missing so the result can say so plainly.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PdfDocument, PdfPage } from './pdfjs.js';

export interface OcrAvailability {
  ok: boolean;
  languages: string[];
  reason?: string;
}

let cached: Promise<OcrAvailability> | undefined;

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(err);
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export function ocrAvailability(): Promise<OcrAvailability> {
  cached ??= (async () => {
    try {
      const { stdout, stderr } = await run('tesseract', ['--list-langs'], 10_000);
      const languages = `${stdout}\n${stderr}`
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^[a-z_]+$/i.test(l) && l !== 'osd');
      try {
        await import('@napi-rs/canvas' as string);
      } catch {
        return { ok: false, languages, reason: 'the optional @napi-rs/canvas package (used to render pages for OCR) is not installed' };
      }
      return { ok: true, languages };
    } catch {
      return { ok: false, languages: [], reason: 'no OCR engine: install Debian tesseract-ocr (and tesseract-ocr-chi-sim for Chinese)' };
    }
  })();
  return cached;
}

/** Renders the page at 200 dpi and returns tesseract's text ('' when it reads nothing). */
export async function ocrPage(doc: PdfDocument, page: PdfPage, languages: string[], timeoutMs: number): Promise<string> {
  const viewport = page.getViewport({ scale: 200 / 72 });
  const factory = (
    doc as unknown as { canvasFactory: { create(w: number, h: number): { canvas: { toBuffer(t: string): Buffer }; context: unknown } } }
  ).canvasFactory;
  const { canvas, context } = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
  await page.render({ canvasContext: context as never, viewport, canvas: canvas as never }).promise;
  const dir = await mkdtemp(join(tmpdir(), 'puyu-ocr-'));
  try {
    const png = join(dir, 'page.png');
    await writeFile(png, canvas.toBuffer('image/png'));
    const langs = ['eng', 'chi_sim'].filter((l) => languages.includes(l));
    const { stdout } = await run('tesseract', [png, 'stdout', ...(langs.length ? ['-l', langs.join('+')] : [])], timeoutMs);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
