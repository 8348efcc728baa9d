/**
 * MinerU's output files: `<name>_content_list.json` (flat blocks in reading order; titles are
 * type "text" with `text_level`; bbox scaled to 0-1000 of the page, as MinerU's
 * make_blocks_to_content_list writes it) and a `<name>_middle.json`-like layout dump
 * (`pdf_info[]` per page with `page_idx`, `page_size`, `para_blocks`, `discarded_blocks`,
 * boxes in points).
 */
import { tableHtml } from './markdown.js';
import type { BBox, Block, ExtractResult, PageInfo } from './model.js';

export type ContentListItem = Record<string, unknown> & { type: string; page_idx: number };

function scaled(b: BBox | undefined, page: PageInfo | undefined): number[] | undefined {
  if (!b || !page?.width || !page.height) return undefined;
  const clamp = (v: number) => Math.max(0, Math.min(1000, Math.trunc(v)));
  return [
    clamp((b[0] * 1000) / page.width),
    clamp((b[1] * 1000) / page.height),
    clamp((b[2] * 1000) / page.width),
    clamp((b[3] * 1000) / page.height),
  ];
}

export function contentListItem(b: Block, page: PageInfo | undefined): ContentListItem {
  let item: ContentListItem;
  switch (b.type) {
    case 'title':
      item = { type: 'text', text: b.text, text_level: b.level, page_idx: b.pageIdx };
      break;
    case 'text':
      item = { type: 'text', text: b.text, page_idx: b.pageIdx };
      break;
    case 'list':
      item = { type: 'list', sub_type: 'text', list_items: b.items, page_idx: b.pageIdx };
      break;
    case 'equation':
      // No formula recogniser runs here: the text layer's reading, flagged as not LaTeX.
      item = { type: 'equation', text: b.text, text_format: 'text', page_idx: b.pageIdx };
      break;
    case 'image':
      item = { type: 'image', img_path: b.path, image_caption: b.caption ? [b.caption] : [], image_footnote: [], page_idx: b.pageIdx };
      break;
    case 'table':
      item = {
        type: 'table',
        img_path: '',
        table_caption: [],
        table_footnote: [],
        table_body: `<html><body>${tableHtml(b.rows)}</body></html>`,
        page_idx: b.pageIdx,
      };
      break;
  }
  const bbox = scaled(b.bbox, page);
  if (bbox) {
    const { page_idx, ...rest } = item;
    item = { ...rest, bbox, page_idx };
  }
  return item;
}

export function contentList(result: ExtractResult): ContentListItem[] {
  const byIdx = new Map(result.pages.map((p) => [p.pageIdx, p]));
  return result.blocks.map((b) => contentListItem(b, byIdx.get(b.pageIdx)));
}

const MIDDLE_TYPE: Record<Block['type'], string> = {
  title: 'title',
  text: 'text',
  list: 'list',
  table: 'table',
  image: 'image',
  equation: 'interline_equation',
};

export function middleJson(result: ExtractResult): Record<string, unknown> {
  const r2 = (b: BBox | undefined) => b?.map((v) => Math.round(v * 100) / 100);
  const pdfInfo = result.pages.map((p) => ({
    page_idx: p.pageIdx,
    page_size: [p.width, p.height],
    text_source: p.source,
    garbled_ratio: Math.round(p.garbledRatio * 1000) / 1000,
    ms: Math.round(p.ms),
    para_blocks: result.blocks
      .filter((b) => b.pageIdx === p.pageIdx)
      .map((b) => ({
        type: MIDDLE_TYPE[b.type],
        bbox: r2(b.bbox),
        ...(b.type === 'title' ? { level: b.level } : {}),
        lines: [{ bbox: r2(b.bbox), spans: [spanOf(b)] }],
      })),
    discarded_blocks: p.discarded.map((d) => ({
      type: 'discarded',
      bbox: r2(d.bbox),
      lines: [{ bbox: r2(d.bbox), spans: [{ bbox: r2(d.bbox), type: 'text', content: d.text }] }],
    })),
  }));
  return { pdf_info: pdfInfo, _backend: 'puyu-pdfjs', _version_name: '0.1.0', _format: result.format, _warnings: result.warnings };
}

function spanOf(b: Block): Record<string, unknown> {
  const bbox = b.bbox?.map((v) => Math.round(v * 100) / 100);
  switch (b.type) {
    case 'table':
      return { bbox, type: 'table', html: tableHtml(b.rows) };
    case 'image':
      return { bbox, type: 'image', image_path: b.path };
    case 'list':
      return { bbox, type: 'text', content: b.items.join('\n') };
    case 'equation':
      return { bbox, type: 'interline_equation', content: b.text };
    default:
      return { bbox, type: 'text', content: b.text };
  }
}
