/**
 * Hostile input: empty, random, corrupt, truncated, bit-flipped, encrypted, page-less,
 * image-only and garbled documents each give a coded ExtractError or a result that says
 * plainly what is missing. Nothing may crash, throw an uncoded error, or hang.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PuyuError } from '@puyu/core';
import { describe, expect, it } from 'vitest';
import { ExtractError } from './errors.js';
import { extractDocument } from './extractDocument.js';
import { ocrAvailability } from './pdf/ocr.js';

const FIX = join(import.meta.dirname, 'fixtures');
const good = new Uint8Array(readFileSync(join(FIX, 'bench', 'en-report.pdf')));
const bad = (name: string) => new Uint8Array(readFileSync(join(FIX, 'bad', name)));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (!(e instanceof PuyuError)) throw e;
    return e.code;
  }
}

/** A deterministic PRNG so every run flips the same bytes. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('extractDocument on hostile input', () => {
  it('rejects empty, unknown and damaged files with codes', async () => {
    expect(await codeOf(extractDocument(new Uint8Array(0), { name: 'e.pdf' }))).toBe('EXTRACT_EMPTY_FILE');
    const noise = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    expect(await codeOf(extractDocument(noise, { name: 'noise.bin' }))).toBe('EXTRACT_UNSUPPORTED_FORMAT');
    const fakePdf = new TextEncoder().encode('%PDF-1.7\nthis is not really a pdf at all\n');
    expect(await codeOf(extractDocument(fakePdf, { name: 'fake.pdf' }))).toBe('EXTRACT_CORRUPT');
    const zipNoDocx = new TextEncoder().encode('PK\u0003\u0004word/document.xml garbage that is no zip');
    expect(await codeOf(extractDocument(zipNoDocx, { name: 'x.docx' }))).toBe('EXTRACT_CORRUPT');
    const noPages = new TextEncoder().encode(
      '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n',
    );
    expect(['EXTRACT_NO_PAGES', 'EXTRACT_CORRUPT']).toContain(await codeOf(extractDocument(noPages, { name: 'nopages.pdf' })));
    const missing = await codeOf(extractDocument('/nonexistent/puyu/file.pdf'));
    expect(missing).toBe('FILE_NOT_FOUND');
  });

  it('truncated PDFs give a coded error or whatever pages survive', async () => {
    for (const frac of [0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 0.99]) {
      const cut = good.subarray(0, Math.floor(good.length * frac));
      try {
        const r = await extractDocument(cut, { name: `cut${frac}.pdf`, ocr: 'off', pageTimeoutMs: 20_000 });
        expect(r.pages.length).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(ExtractError);
        expect((e as ExtractError).code).toBe('EXTRACT_CORRUPT');
      }
    }
  });

  it('bit-flipped PDFs never crash or hang', async () => {
    const rand = rng(13);
    for (let k = 0; k < 12; k++) {
      const copy = good.slice();
      for (let j = 0; j < 40; j++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
      const code = await codeOf(extractDocument(copy, { name: `flip${k}.pdf`, ocr: 'off', pageTimeoutMs: 20_000 }));
      expect(['OK', 'EXTRACT_CORRUPT', 'EXTRACT_NO_PAGES']).toContain(code);
    }
  });

  it('encrypted PDFs need the password', async () => {
    expect(await codeOf(extractDocument(bad('encrypted.pdf'), { name: 'encrypted.pdf' }))).toBe('EXTRACT_ENCRYPTED');
    expect(await codeOf(extractDocument(bad('encrypted.pdf'), { name: 'encrypted.pdf', password: 'wrong' }))).toBe('EXTRACT_ENCRYPTED');
    const r = await extractDocument(bad('encrypted.pdf'), { name: 'encrypted.pdf', password: 'puyu' });
    expect(r.markdown).toContain('# Secret memo');
  });

  it('a page range outside the document is a coded error', async () => {
    expect(await codeOf(extractDocument(good, { name: 'r.pdf', pages: { from: 9, to: 12 } }))).toBe('EXTRACT_BAD_PAGE_RANGE');
    const r = await extractDocument(good, { name: 'r.pdf', pages: { from: 2, to: 99 } });
    expect(r.pages.map((p) => p.pageIdx)).toEqual([1, 2]);
    expect(r.blocks.every((b) => b.pageIdx >= 1)).toBe(true);
  });

  it('image-only and garbled pages say there is no usable text when OCR is off', async () => {
    const scan = await extractDocument(bad('image-only.pdf'), { name: 'scan.pdf', ocr: 'off' });
    expect(scan.pages[0]?.source).toBe('none');
    expect(scan.warnings.join(' ')).toMatch(/no text layer and was not OCRed: OCR is turned off/);
    // The picture itself is kept as a PNG and referenced from the Markdown.
    const image = scan.blocks.find((b) => b.type === 'image');
    expect(image?.type === 'image' && image.path).toBe('images/p1-1.png');
    const png = image?.type === 'image' ? (image.data as Uint8Array) : new Uint8Array();
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(Buffer.from(png).readUInt32BE(16)).toBe(900);
    expect(scan.markdown).toContain('![](images/p1-1.png)');
    const garbled = await extractDocument(bad('garbled.pdf'), { name: 'garbled.pdf', ocr: 'off' });
    expect(garbled.pages[0]?.garbledRatio).toBeGreaterThan(0.5);
    expect(garbled.warnings.join(' ')).toMatch(/garbled text layer/);
    expect(garbled.markdown).not.toMatch(/[\ue000-\uf8ff]/);
  });

  it('OCRs image-only and garbled pages with tesseract when it is installed', async (ctx) => {
    const ocr = await ocrAvailability();
    if (!ocr.ok) {
      console.log(`skipped: ${ocr.reason}`);
      ctx.skip();
    }
    const scan = await extractDocument(bad('image-only.pdf'), { name: 'scan.pdf' });
    expect(scan.pages[0]?.source).toBe('ocr');
    expect(scan.markdown).toMatch(/invoice number 4711/i);
    const garbled = await extractDocument(bad('garbled.pdf'), { name: 'garbled.pdf' });
    expect(garbled.markdown).toMatch(/Broken fonts/);
  });

  it('a page over the time limit is skipped with a warning, not a hang', async () => {
    // On the calling thread pdfjs inflates through async zlib, so a 1 ms timer always fires
    // first; the reader thread's synchronous inflate can finish a small page before any timer
    // runs (a page stuck in a synchronous loop there is ended by the reader's watchdog instead).
    const r = await extractDocument(good, { name: 'slow.pdf', pageTimeoutMs: 1, ocr: 'off', thread: 'inline' });
    expect(r.warnings.some((w) => /took longer than 1 ms/.test(w))).toBe(true);
  });

  it('the reader thread gives the same result as the calling thread, and coded errors', async () => {
    const onPage: number[] = [];
    const viaReader = await extractDocument(good, { name: 'a.pdf', ocr: 'off', onPage: (p) => onPage.push(p.pageIdx) });
    const inline = await extractDocument(good, { name: 'a.pdf', ocr: 'off', thread: 'inline' });
    expect(viaReader.markdown).toBe(inline.markdown);
    expect(viaReader.blocks).toEqual(inline.blocks);
    expect(onPage).toEqual(inline.pages.map((p) => p.pageIdx));
    const broken = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(64, 0x41)]);
    await expect(extractDocument(new Uint8Array(broken), { name: 'broken.pdf' })).rejects.toMatchObject({ code: 'EXTRACT_CORRUPT' });
  });
});
