/**
 * DOCX (a python-docx file, bench/extract/make_docx.py) and HTML (an article page with
 * navigation, sidebar and footer) come out as the same blocks as PDFs: heading levels,
 * lists, tables (HTML where cells merge), and no page chrome.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractDocument, sniffFormat } from './extractDocument.js';
import { contentList } from './mineru.js';

const FIX = join(import.meta.dirname, 'fixtures');

describe('DOCX and HTML', () => {
  it('reads a DOCX: heading styles become levels, lists, a merged header cell, Chinese', async () => {
    const r = await extractDocument(join(FIX, 'docx', 'sample.docx'));
    expect(r.format).toBe('docx');
    const titles = r.blocks.flatMap((b) => (b.type === 'title' ? [[b.level, b.text]] : []));
    expect(titles).toEqual([
      [1, 'Harbour Survey 2026'],
      [2, '1 Findings'],
      [3, '1.1 Berths'],
      [2, '2 Actions'],
    ]);
    const lists = r.blocks.filter((b) => b.type === 'list');
    expect(lists.map((l) => (l.type === 'list' ? [l.ordered, l.items.length] : []))).toEqual([
      [false, 3],
      [true, 2],
    ]);
    expect(r.markdown).toContain('<td colspan="2">Depth and status</td>');
    expect(r.markdown).toContain('港口内的三个泊位需要在夏季之前完成疏浚。');
    const list = contentList(r);
    expect(list[0]).toEqual({ type: 'text', text: 'Harbour Survey 2026', text_level: 1, page_idx: 0 });
  });

  it('reads an HTML article without its navigation, sidebar and footer', async () => {
    const r = await extractDocument(join(FIX, 'html', 'article.html'));
    expect(r.format).toBe('html');
    expect(r.markdown.startsWith('# Night Trains Return to the Alps\n')).toBe(true);
    expect(r.markdown).toContain('## Prices');
    expect(r.markdown).toContain('### Accessibility');
    expect(r.markdown).toContain('| Zurich to Rome | 49 | 89 | 159 |');
    expect(r.markdown).toContain("[operators' page](https://example.org/night)");
    for (const chrome of ['About us', 'Most read', 'All rights reserved', 'Search']) expect(r.markdown).not.toContain(chrome);
  });

  it('tells formats apart by their bytes before their names', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(sniffFormat(enc('%PDF-1.7\n'), 'x.html')).toBe('pdf');
    expect(sniffFormat(enc('<!doctype html><p>x</p>'), 'x.bin')).toBe('html');
    expect(sniffFormat(new Uint8Array(readFileSync(join(FIX, 'docx', 'sample.docx'))), 'x')).toBe('docx');
    expect(sniffFormat(enc('plain words'), 'notes.txt')).toBeUndefined();
  });
});
