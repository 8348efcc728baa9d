/**
 * Renders bench/extract/corpus/*.md to PDF with Debian's headless Chromium (playwright-core,
 * running header and "Page N of M" footer on every page) and writes each PDF with its ground
 * truth to packages/extract/src/fixtures/bench/, where the default test suite scores them.
 *
 *   npx tsx --conditions=source bench/extract/generate.ts [--chromium /usr/bin/chromium]
 *
 * Fonts: Liberation (fonts-liberation) and WenQuanYi Micro Hei (fonts-wqy-microhei), which has
 * no bold face, so Chinese headings carry a synthetic bold the extractor cannot see.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { extractDocument } from '@puyu/extract';
import { chromium } from 'playwright-core';
import { parseCorpus } from './corpus.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = resolve(HERE, '../../packages/extract/src/fixtures/bench');
const { values } = parseArgs({ options: { chromium: { type: 'string', default: '/usr/bin/chromium' } } });

const browser = await chromium.launch({ executablePath: values.chromium as string, args: ['--no-sandbox'] });
try {
  for (const file of readdirSync(join(HERE, 'corpus'))
    .filter((f) => f.endsWith('.md'))
    .sort()) {
    const name = basename(file, '.md');
    const { html, truth } = parseCorpus(name, readFileSync(join(HERE, 'corpus', file), 'utf8'));
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({
      format: 'A4',
      displayHeaderFooter: true,
      headerTemplate: `<div style="font-size:8pt;width:100%;margin:0 48pt;font-family:'Liberation Sans','WenQuanYi Micro Hei',sans-serif">${truth.header}</div>`,
      footerTemplate: `<div style="font-size:8pt;width:100%;text-align:center;font-family:'Liberation Sans',sans-serif">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
      margin: { top: '20mm', bottom: '20mm', left: '17mm', right: '17mm' },
    });
    await page.close();
    const pages = (await extractDocument(new Uint8Array(pdf), { name: file, images: false, ocr: 'off' })).pageCount;
    writeFileSync(join(OUT, `${name}.pdf`), pdf);
    writeFileSync(join(OUT, `${name}.truth.json`), `${JSON.stringify({ ...truth, pages }, null, 2)}\n`);
    process.stdout.write(`${name}: ${pages} pages, ${(pdf.length / 1024).toFixed(0)} KiB\n`);
  }
} finally {
  await browser.close();
}
