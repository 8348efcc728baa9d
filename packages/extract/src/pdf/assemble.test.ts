/**
 * Layout decisions on hand-made pages: heading levels (font ranks corrected by numbering),
 * formulas, lists, de-hyphenation, a paragraph and a table continued on the next page, and
 * XY-cut keeping two columns whole when their paragraph gaps line up.
 */
import { describe, expect, it } from 'vitest';
import { toMarkdown } from '../markdown.js';
import type { BBox } from '../model.js';
import { joinLines } from '../textJoin.js';
import { assembleBlocks } from './assemble.js';
import type { Draft } from './pageLayout.js';
import { readingOrder } from './readingOrder.js';
import { foldRadicals, type Segment } from './segments.js';

let y = 0;
function seg(text: string, fontSize = 10, bold = false, fontName = 'Serif'): Segment {
  y += fontSize * 1.5;
  const bbox: BBox = [50, y, 50 + text.length * fontSize * 0.5, y + fontSize];
  return {
    text,
    bbox,
    fontSize,
    bold,
    italic: false,
    baseline: y + fontSize * 0.8,
    runs: [{ text, bbox, baseline: y, fontSize, bold, italic: false, fontName, rotated: false }],
  };
}
const lines = (segs: Segment[], marker?: 'bullet' | 'ordered', columnBreak = false): Draft => ({
  kind: 'lines',
  lines: segs,
  columnBreak,
  bbox: segs[0]?.bbox as BBox,
  ...(marker ? { marker } : {}),
});
const body = (n: number) =>
  lines(Array.from({ length: n }, (_, i) => seg(`Body text line number ${i} of a paragraph that is long enough.`)));

describe('assembleBlocks', () => {
  it('ranks heading styles and lets section numbers fix the depth', () => {
    const blocks = assembleBlocks([
      {
        pageIdx: 0,
        drafts: [
          lines([seg('A Document Title', 20, true)]),
          body(6),
          lines([seg('1 Introduction', 14, true)]),
          body(6),
          // Numbered 1.1 but set in the same size as level-2 headings: numbering says level 3.
          lines([seg('1.1 Scope', 14, true)]),
          body(6),
          lines([seg('1.1.1 Details', 10, true)]),
          body(6),
          lines([seg('2 Methods', 14, true)]),
          body(3),
        ],
      },
    ]);
    const titles = blocks.flatMap((b) => (b.type === 'title' ? [`${b.level} ${b.text}`] : []));
    expect(titles).toEqual(['1 A Document Title', '2 1 Introduction', '3 1.1 Scope', '4 1.1.1 Details', '2 2 Methods']);
  });

  it('flags formula lines, groups list items and de-hyphenates', () => {
    const blocks = assembleBlocks([
      {
        pageIdx: 0,
        drafts: [
          body(4),
          lines([seg('E = m × c² + ∑ αβ', 10, false)]),
          lines([seg('first item')], 'bullet'),
          lines([seg('second item')], 'bullet'),
          lines([seg('A hyphen-'), seg('ated word and a well-'), seg('Known name.')]),
        ],
      },
    ]);
    expect(blocks.map((b) => b.type)).toEqual(['text', 'equation', 'list', 'text']);
    expect(blocks[2]).toMatchObject({ type: 'list', ordered: false, items: ['first item', 'second item'] });
    expect(blocks[3]).toMatchObject({ text: 'A hyphenated word and a well- Known name.' });
  });

  it('joins a paragraph and a table that a page break cut, dropping the repeated header row', () => {
    const head = [
      { text: 'Name', rowspan: 1, colspan: 1 },
      { text: 'Value', rowspan: 1, colspan: 1 },
    ];
    const row = (a: string, b: string) => [
      { text: a, rowspan: 1, colspan: 1 },
      { text: b, rowspan: 1, colspan: 1 },
    ];
    const bbox: BBox = [0, 0, 100, 100];
    const blocks = assembleBlocks([
      { pageIdx: 0, drafts: [body(3), lines([seg('This sentence goes on')]), { kind: 'table', rows: [head, row('a', '1')], bbox }] },
      { pageIdx: 1, drafts: [{ kind: 'table', rows: [head, row('b', '2')], bbox }, lines([seg('on the next page.')], undefined, true)] },
    ]);
    const table = blocks.find((b) => b.type === 'table');
    expect(table).toMatchObject({ rows: [head, row('a', '1'), row('b', '2')], pages: [0, 1] });
    expect(toMarkdown(blocks)).toContain('| b | 2 |');
  });
});

describe('helpers', () => {
  it('joins CJK lines without spaces and Latin lines with one', () => {
    expect(joinLines(['城市公共', '自行车系统'])).toBe('城市公共自行车系统');
    expect(joinLines(['two', 'words'])).toBe('two words');
  });

  it('folds CJK radical look-alikes from broken ToUnicode maps, not full-width punctuation', () => {
    expect(foldRadicals('⾃⾏⻋，⽤⼾：')).toBe('自行车，用户：');
  });

  it('escapes text that would read as Markdown syntax', () => {
    expect(toMarkdown([{ type: 'text', text: '# apt-get update', pageIdx: 0 }])).toBe('\\# apt-get update\n');
  });

  it('reads two columns whole even when their paragraph gaps line up', () => {
    const box = (x: number, top: number, h = 10): { bbox: BBox; id: string } => ({
      bbox: [x, top, x + 200, top + h],
      id: `${x < 250 ? 'L' : 'R'}${top}`,
    });
    // Left and right columns, paragraph gap at the same height in both; a full-width title above.
    const title = { bbox: [0, 0, 500, 20] as BBox, id: 'title' };
    const items = [title, box(0, 40), box(0, 52), box(0, 80), box(0, 92), box(300, 40), box(300, 52), box(300, 80), box(300, 92)];
    expect(readingOrder(items.reverse()).map((i) => i.id)).toEqual(['title', 'L40', 'L52', 'L80', 'L92', 'R40', 'R52', 'R80', 'R92']);
  });
});
