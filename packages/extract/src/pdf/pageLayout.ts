/**
 * One page's body in reading order as drafts: runs of lines that belong together
 * (paragraph, heading candidate, list item), tables and images. Whether a paragraph is a
 * heading, and at which level, is decided later over the whole document (font-size ranks
 * need every page).
 */
import type { BBox, TableCell } from '../model.js';
import { readingOrder } from './readingOrder.js';
import type { RawImage } from './readPage.js';
import type { Segment } from './segments.js';
import type { FoundTable } from './tables.js';

export type Draft =
  | { kind: 'lines'; lines: Segment[]; marker?: 'bullet' | 'ordered'; columnBreak: boolean; bbox: BBox }
  | { kind: 'table'; rows: TableCell[][]; bbox: BBox }
  | { kind: 'image'; image: RawImage; bbox: BBox };

const BULLET = /^[•◦▪▫●○■□‣⁃∙·\-–*]\s+\S/;
const ORDERED = /^(?:\d{1,3}|[a-zA-Z]|[ivxlc]{1,5})[.)]\s+\S/;
const LEADER_DOTS = /^[.·•…\s_]{6,}$/;
/** A section number set apart from its title ("1.2.3   Title"), as DocBook and LaTeX do. */
const SECTION_NUMBER = /^(?:\d{1,2}|[A-Z])(?:\.\d{1,2}){0,5}\.?$/;
const MARKER_ONLY = /^(?:[•◦▪▫●○■□‣⁃∙·\-–*]|(?:\d{1,3}|[a-zA-Z]|[ivxlc]{1,5})[.)])$/;

type Item = { seg: Segment; bbox: BBox } | { table: FoundTable; bbox: BBox } | { image: RawImage; bbox: BBox };

export function layoutPage(segments: Segment[], tables: FoundTable[], images: RawImage[], marks: BBox[]): Draft[] {
  const segs = joinMarkers(segments);
  const items: Item[] = [
    ...segs.map((seg) => ({ seg, bbox: seg.bbox })),
    ...tables.map((table) => ({ table, bbox: table.bbox })),
    ...images.map((image) => ({ image, bbox: image.bbox })),
  ];
  const drafts: Draft[] = [];
  let cur: Extract<Draft, { kind: 'lines' }> | undefined;
  for (const item of readingOrder(items)) {
    if ('table' in item) {
      cur = undefined;
      drafts.push({ kind: 'table', rows: item.table.rows, bbox: item.bbox });
      continue;
    }
    if ('image' in item) {
      cur = undefined;
      drafts.push({ kind: 'image', image: item.image, bbox: item.bbox });
      continue;
    }
    const seg = item.seg;
    // Leader dots of a table of contents carry no text.
    if (LEADER_DOTS.test(seg.text)) continue;
    const prev = cur?.lines[cur.lines.length - 1];
    // The next piece of the same line (a TOC entry's page number, a label and its value) goes
    // on that line rather than starting a paragraph of its own.
    if (cur && prev && Math.abs(prev.baseline - seg.baseline) < 0.3 * prev.fontSize && seg.bbox[0] >= prev.bbox[2] - 1) {
      cur.lines[cur.lines.length - 1] = {
        ...prev,
        text: `${prev.text} ${seg.text}`,
        bbox: [prev.bbox[0], Math.min(prev.bbox[1], seg.bbox[1]), seg.bbox[2], Math.max(prev.bbox[3], seg.bbox[3])],
        runs: [...prev.runs, ...seg.runs],
      };
      cur.bbox = [
        Math.min(cur.bbox[0], seg.bbox[0]),
        Math.min(cur.bbox[1], seg.bbox[1]),
        Math.max(cur.bbox[2], seg.bbox[2]),
        Math.max(cur.bbox[3], seg.bbox[3]),
      ];
      continue;
    }
    const marker = markerOf(seg, marks);
    const columnBreak = prev !== undefined && seg.bbox[1] < prev.bbox[1] - 2;
    if (!cur || !prev || marker || startsNew(prev, seg, cur)) {
      cur = { kind: 'lines', lines: [seg], columnBreak: columnBreak || cur === undefined, bbox: [...seg.bbox] };
      if (marker) cur.marker = marker;
      drafts.push(cur);
    } else {
      cur.lines.push(seg);
      cur.bbox = [
        Math.min(cur.bbox[0], seg.bbox[0]),
        Math.min(cur.bbox[1], seg.bbox[1]),
        Math.max(cur.bbox[2], seg.bbox[2]),
        Math.max(cur.bbox[3], seg.bbox[3]),
      ];
    }
  }
  return drafts;
}

function startsNew(prev: Segment, seg: Segment, cur: Extract<Draft, { kind: 'lines' }>): boolean {
  const em = Math.max(prev.fontSize, seg.fontSize);
  const gap = seg.bbox[1] - prev.bbox[3];
  if (gap > 0.45 * em || gap < -0.5 * em) return true;
  if (Math.abs(prev.fontSize - seg.fontSize) > 0.1 * em) return true;
  if (prev.bold !== seg.bold) return true;
  const first = cur.lines[0] as Segment;
  // List-item continuation lines align with the item's text; paragraphs with the column.
  const indent = seg.bbox[0] - (cur.lines.length > 1 ? prev.bbox[0] : first.bbox[0]);
  if (cur.marker) return indent < -1.5 || indent > em * 2;
  return Math.abs(indent) > em * 2.5;
}

/** A bullet drawn as text or as a small filled shape just left of the line; or "1." text. */
function markerOf(seg: Segment, marks: BBox[]): 'bullet' | 'ordered' | undefined {
  if (BULLET.test(seg.text)) return 'bullet';
  if (ORDERED.test(seg.text)) return 'ordered';
  const cy = (seg.bbox[1] + seg.bbox[3]) / 2;
  const h = seg.bbox[3] - seg.bbox[1];
  const hit = marks.some(
    (m) => m[2] <= seg.bbox[0] + 1 && m[2] > seg.bbox[0] - 3 * seg.fontSize && Math.abs((m[1] + m[3]) / 2 - cy) < h * 0.6,
  );
  return hit ? 'bullet' : undefined;
}

/** Chromium and others draw "1." apart from the item text: join a marker-only segment to its line. */
function joinMarkers(segments: Segment[]): Segment[] {
  const used = new Set<Segment>();
  const out: Segment[] = [];
  for (const s of segments) {
    if (used.has(s)) continue;
    const number = SECTION_NUMBER.test(s.text);
    if (MARKER_ONLY.test(s.text) || number) {
      const next = segments
        .filter(
          (o) =>
            o !== s &&
            !used.has(o) &&
            Math.abs(o.baseline - s.baseline) < s.fontSize * 0.3 &&
            o.bbox[0] > s.bbox[2] - 1 &&
            o.bbox[0] - s.bbox[2] < 3 * s.fontSize &&
            (!number || /^\p{L}/u.test(o.text)),
        )
        .sort((a, b) => a.bbox[0] - b.bbox[0])[0];
      if (next) {
        used.add(next);
        out.push({
          ...next,
          text: `${s.text} ${next.text}`,
          bbox: [s.bbox[0], Math.min(s.bbox[1], next.bbox[1]), next.bbox[2], Math.max(s.bbox[3], next.bbox[3])],
          runs: [...s.runs, ...next.runs],
        });
        continue;
      }
    }
    out.push(s);
  }
  return out;
}
