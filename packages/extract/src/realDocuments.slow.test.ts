/**
 * Real documents: the Debian Reference in English and Chinese (Debian packages
 * debian-reference-en and debian-reference-zh-cn, PDFs of ~250 pages) extract without error,
 * with headings, and with timings and an excerpt printed. Skipped, saying why, when the
 * packages are not installed.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { describe, expect, it } from 'vitest';
import { extractDocument } from './extractDocument.js';
import { ocrAvailability } from './pdf/ocr.js';

const DOCS = [
  {
    path: '/usr/share/debian-reference/debian-reference.en.pdf',
    pkg: 'debian-reference-en',
    expect: ['GNU/Linux tutorials', 'Console basics'],
  },
  {
    path: '/usr/share/debian-reference/debian-reference.zh-cn.pdf',
    pkg: 'debian-reference-zh-cn',
    expect: ['GNU/Linux 教程', '控制台基础'],
  },
];

describe('real documents', () => {
  for (const doc of DOCS) {
    it(`extracts ${doc.path}`, async (ctx) => {
      if (!existsSync(doc.path)) {
        console.log(`skipped: ${doc.path} is missing (apt-get install ${doc.pkg})`);
        ctx.skip();
      }
      const t0 = performance.now();
      const r = await extractDocument(doc.path, { images: false });
      const seconds = (performance.now() - t0) / 1000;
      const titles = r.blocks.filter((b) => b.type === 'title');
      console.log(
        `${doc.path}: ${r.pageCount} pages, ${r.blocks.length} blocks (${titles.length} headings) in ${seconds.toFixed(1)} s = ${(r.pageCount / seconds).toFixed(2)} pages/s, load ${loadavg()[0].toFixed(1)}; warnings: ${r.warnings.join(' | ') || 'none'}`,
      );
      // The excerpt starts at the body's heading (the table of contents lists it first).
      const at = Math.max(0, r.markdown.search(new RegExp(`^#+ [\\d.]* ?${doc.expect[1]}`, 'm')));
      console.log(`excerpt:\n${r.markdown.slice(at, at + 900)}`);
      expect(r.pages).toHaveLength(r.pageCount);
      expect(r.pageCount).toBeGreaterThan(200);
      // Every page has text: its own layer, or tesseract's for the image-only cover. Without an OCR
      // engine those pages are counted and the warning must name each of them.
      const none = r.pages.filter((p) => p.source === 'none');
      const ocr = await ocrAvailability();
      if (ocr.ok) expect(none).toHaveLength(0);
      else {
        console.log(`not checked: text for image-only pages (${ocr.reason}); ${none.length} page(s) without text`);
        for (const p of none)
          expect(r.warnings.some((w) => w.startsWith(`page ${p.pageIdx + 1} has `) && w.includes('and was not OCRed'))).toBe(true);
      }
      for (const text of doc.expect) expect(titles.some((t) => t.type === 'title' && t.text.includes(text))).toBe(true);
    });
  }
});
