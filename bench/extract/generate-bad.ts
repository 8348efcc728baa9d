/**
 * Writes the hostile-input fixtures of packages/extract/src/fixtures/bad/ (the robustness test
 * reads them without Chromium or qpdf):
 *   encrypted.pdf   a Chromium PDF encrypted by qpdf (AES-256, user password "puyu")
 *   image-only.pdf  a page whose only content is a picture of text (a "scan")
 *   garbled.pdf     a Chromium PDF whose ToUnicode maps were rewritten to private-use code points
 *
 *   npx tsx --conditions=source bench/extract/generate-bad.ts     (needs Debian chromium and qpdf)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/extract/src/fixtures/bad');
const tmp = mkdtempSync(join(tmpdir(), 'puyu-bad-'));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  const pdfOf = async (html: string) => {
    await page.setContent(html, { waitUntil: 'load' });
    return page.pdf({ format: 'A6', margin: { top: '10mm', bottom: '10mm', left: '10mm', right: '10mm' } });
  };
  const memo = await pdfOf('<h1>Secret memo</h1><p>This memo is encrypted with the user password puyu.</p>');
  writeFileSync(join(tmp, 'memo.pdf'), memo);
  execFileSync('qpdf', ['--encrypt', 'puyu', 'owner-pw', '256', '--', join(tmp, 'memo.pdf'), join(OUT, 'encrypted.pdf')]);

  // The "scan": text drawn on a canvas, exported as PNG and placed as the page's only content.
  await page.setContent('<canvas id="c" width="900" height="300"></canvas>');
  // Runs in the page (a string, so this file needs no DOM types).
  const png = (await page.evaluate(`(() => {
    const c = document.getElementById('c');
    const g = c.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 900, 300);
    g.fillStyle = '#000';
    g.font = '44px serif';
    g.fillText('Scanned invoice number 4711', 40, 110);
    g.fillText('Total due: 128 euros', 40, 190);
    return c.toDataURL('image/png');
  })()`)) as string;
  writeFileSync(join(OUT, 'image-only.pdf'), await pdfOf(`<img src="${png}" style="width:100%">`));

  // Garbled: decompress (QDF), point every ToUnicode destination at the private-use area, repair.
  const plain = await pdfOf('<h1>Broken fonts</h1><p>Every glyph of this page maps to a private-use code point.</p>');
  writeFileSync(join(tmp, 'plain.pdf'), plain);
  execFileSync('qpdf', ['--qdf', '--object-streams=disable', join(tmp, 'plain.pdf'), join(tmp, 'qdf.pdf')]);
  const qdf = readFileSync(join(tmp, 'qdf.pdf'), 'latin1').replace(
    /(beginbfchar[\s\S]*?endbfchar|beginbfrange[\s\S]*?endbfrange)/g,
    (block) =>
      block.replace(/(<[0-9A-Fa-f]+>\s*)(<[0-9A-Fa-f]{4}>)(?=\s*\n)/g, (_, src: string, dst: string) => `${src}<E${dst.slice(2, 5)}>`),
  );
  writeFileSync(join(tmp, 'garbled-qdf.pdf'), qdf, 'latin1');
  writeFileSync(join(OUT, 'garbled.pdf'), execFileSync('fix-qdf', [join(tmp, 'garbled-qdf.pdf')]));
  process.stdout.write(`wrote encrypted.pdf, image-only.pdf, garbled.pdf to ${OUT}\n`);
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
}
