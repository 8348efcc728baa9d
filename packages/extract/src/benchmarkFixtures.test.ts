/**
 * The generated benchmark (bench/extract/corpus → Chromium → src/fixtures/bench): every
 * committed PDF is extracted and scored against its ground truth, and the goals are
 * asserted (edit distance ≤ 0.05, heading-level accuracy ≥ 0.9; tables, two-column reading
 * order and header/footer leakage held to what we reach now, so a regression fails).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentList } from './mineru.js';
import { extractPdf } from './pdf/pdfThread.js';
import { scoreDocument, type TruthDocument } from './scoring/score.js';

const DIR = join(import.meta.dirname, 'fixtures', 'bench');
const NAMES = readdirSync(DIR)
  .filter((f) => f.endsWith('.pdf'))
  .map((f) => f.slice(0, -4))
  .sort();

describe('generated benchmark fixtures', () => {
  it('has the documents the issue asks for', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(4);
    const truths = NAMES.map((n) => JSON.parse(readFileSync(join(DIR, `${n}.truth.json`), 'utf8')) as TruthDocument);
    const blocks = truths.flatMap((t) => t.blocks);
    expect(new Set(blocks.filter((b) => b.type === 'title').map((b) => (b.type === 'title' ? b.level : 0)))).toEqual(new Set([1, 2, 3, 4]));
    expect(blocks.some((b) => b.type === 'table' && b.rows.some((r) => r.some((c) => c.rowspan > 1 || c.colspan > 1)))).toBe(true);
    expect(truths.some((t) => t.columnParagraphs.length >= 4)).toBe(true);
    expect(truths.some((t) => /[\u4e00-\u9fff]/.test(t.header))).toBe(true);
  });

  for (const name of NAMES) {
    it(`${name}: meets the goals`, async () => {
      const truth = JSON.parse(readFileSync(join(DIR, `${name}.truth.json`), 'utf8')) as TruthDocument;
      const result = await extractPdf(new Uint8Array(readFileSync(join(DIR, `${name}.pdf`))), { name, ocr: 'off' });
      const s = scoreDocument(truth, result.markdown);
      expect(result.pages).toHaveLength(truth.pages);
      expect(s.editDistance).toBeLessThanOrEqual(0.05);
      expect(s.headingAccuracy).toBeGreaterThanOrEqual(0.9);
      if (s.tableCellAccuracy !== null) expect(s.tableCellAccuracy).toBeGreaterThanOrEqual(0.9);
      if (s.readingOrder !== null) expect(s.readingOrder).toBeGreaterThanOrEqual(0.9);
      expect(s.headerFooterLeakage).toBe(0);

      // MinerU's content_list schema: flat, reading order, bbox on a 0-1000 page scale.
      const list = contentList(result);
      expect(list.length).toBe(result.blocks.length);
      for (const item of list) {
        expect(['text', 'list', 'table', 'image', 'equation']).toContain(item.type);
        expect(item.page_idx).toBeGreaterThanOrEqual(0);
        const bbox = item.bbox as number[];
        expect(bbox).toHaveLength(4);
        for (const v of bbox) expect(Number.isInteger(v) && v >= 0 && v <= 1000).toBe(true);
      }
      const levels = list.filter((i) => i.text_level !== undefined).map((i) => i.text_level);
      expect(levels.length).toBe(truth.blocks.filter((b) => b.type === 'title').length);
    });
  }
});
