/**
 * Page drafts → document blocks: decides headings and their levels over the whole document
 * (font-size and weight ranks, corrected by section numbering such as "2.1"), lists,
 * equations, and joins what a page or column break cut: a paragraph that runs on, and a
 * table continued on the next page (its repeated header row dropped).
 */
import type { Block, TableBlock, TableCell } from '../model.js';
import { encodePng } from '../png.js';
import { endsOpen, joinLines, startsContinuation } from '../textJoin.js';
import type { Draft } from './pageLayout.js';
import type { Segment } from './segments.js';

type LinesDraft = Extract<Draft, { kind: 'lines' }>;

const NUMBERING = /^(\d{1,2}(?:\.\d{1,2}){0,5})\.?\s+\S/;
const MATH_CHARS = /[=+−×÷±∑∏∫√∞≤≥≈≠∂∇∈∉⊂⊃∪∩→←↔⇒⇔αβγδεζηθλμνξπρστφχψωΓΔΘΛΞΠΣΦΨΩ^_]/g;
const MATH_FONT = /math|cmmi|cmsy|cmex|symbol|stix|cambria ?math/i;

export function bodyFontSize(pages: Draft[][]): number {
  const weight = new Map<number, number>();
  for (const d of pages.flat())
    if (d.kind === 'lines')
      for (const l of d.lines) if (l.fontSize > 0) weight.set(l.fontSize, (weight.get(l.fontSize) ?? 0) + l.text.length);
  let best = 10;
  let max = -1;
  for (const [s, w] of weight)
    if (w > max) {
      max = w;
      best = s;
    }
  return best;
}

function draftText(d: LinesDraft): string {
  return joinLines(d.lines.map((l) => l.text));
}

function isHeadingCandidate(d: LinesDraft, body: number): boolean {
  const first = d.lines[0] as Segment;
  const text = draftText(d);
  if (d.lines.length > 3 || text.length > 160 || !/\p{L}/u.test(text)) return false;
  if (d.marker === 'bullet' || first.fontSize <= 0) return false;
  // Fonts without a bold face (many CJK fonts) get a synthetic bold that pdfjs cannot see,
  // so a single short line only slightly larger than the body also counts.
  const big = first.fontSize >= body * 1.15 || (first.fontSize >= body * 1.08 && d.lines.length === 1 && text.length <= 80);
  const bold = d.lines.every((l) => l.bold) && first.fontSize >= body * 0.8;
  if (!big && !bold) return false;
  return !/[.,;:，。；：]$/.test(text) || NUMBERING.test(text);
}

const styleKey = (s: Segment) => `${Math.round(s.fontSize * 2) / 2}|${s.bold ? 1 : 0}`;

/** Heading level for each heading-candidate draft (size desc, bold before regular), then numbering. */
function headingLevels(cands: LinesDraft[]): Map<LinesDraft, number> {
  const keys = [...new Set(cands.map((d) => styleKey(d.lines[0] as Segment)))].sort((a, b) => {
    const [sa, ba] = a.split('|').map(Number) as [number, number];
    const [sb, bb] = b.split('|').map(Number) as [number, number];
    return sb - sa || bb - ba;
  });
  const rank = new Map(keys.map((k, i) => [k, Math.min(6, i + 1)]));
  const levels = new Map<LinesDraft, number>();
  const offsets: { depth: number; offset: number }[] = [];
  for (const d of cands) {
    const level = rank.get(styleKey(d.lines[0] as Segment)) ?? 1;
    levels.set(d, level);
    const m = NUMBERING.exec(draftText(d));
    if (m) offsets.push({ depth: (m[1] as string).split('.').length, offset: level - (m[1] as string).split('.').length });
  }
  // Numbering fixes the levels of numbered headings: depth + the offset the shallowest ones
  // show ("1 Intro" at rank 2 under an unnumbered title gives +1), so "1.1" is one below "1"
  // even when a document spends font sizes on other things in between.
  if (offsets.length >= 2) {
    const top = Math.min(...offsets.map((o) => o.depth));
    const offset = Math.max(0, Math.min(...offsets.filter((o) => o.depth === top).map((o) => o.offset)));
    for (const d of cands) {
      const m = NUMBERING.exec(draftText(d));
      if (m) levels.set(d, Math.max(1, Math.min(6, (m[1] as string).split('.').length + offset)));
    }
  }
  return levels;
}

function isFormula(d: LinesDraft): boolean {
  if (d.lines.length > 2) return false;
  const text = draftText(d).replace(/\s/g, '');
  if (text.length < 3) return false;
  const runs = d.lines.flatMap((l) => l.runs);
  const mathFont = runs.filter((r) => MATH_FONT.test(r.fontName)).length / runs.length;
  const mathChars = (text.match(MATH_CHARS) ?? []).length / text.length;
  return mathFont >= 0.5 || (mathChars >= 0.25 && !/\p{L}{4,}/u.test(text));
}

export function assembleBlocks(pages: { pageIdx: number; drafts: Draft[] }[]): Block[] {
  const body = bodyFontSize(pages.map((p) => p.drafts));
  const cands = pages.flatMap((p) => p.drafts).filter((d): d is LinesDraft => d.kind === 'lines' && isHeadingCandidate(d, body));
  const levels = headingLevels(cands);
  const blocks: Block[] = [];
  let imageNo = 0;
  for (const { pageIdx, drafts } of pages) {
    drafts.forEach((d, i) => {
      const last = blocks[blocks.length - 1];
      if (d.kind === 'table') {
        if (i === 0 && last?.type === 'table' && last.pageIdx === pageIdx - 1 && gridWidth(last.rows) === gridWidth(d.rows)) {
          const rows = sameRow(d.rows[0], last.rows[0]) ? d.rows.slice(1) : d.rows;
          last.rows.push(...rows);
          last.pages = [...(last.pages ?? [last.pageIdx]), pageIdx];
        } else blocks.push({ type: 'table', rows: d.rows, bbox: d.bbox, pageIdx });
        return;
      }
      if (d.kind === 'image') {
        imageNo++;
        const { rgba, width, height } = d.image;
        const png = rgba ? encodePng(width, height, rgba) : undefined;
        blocks.push({
          type: 'image',
          path: png ? `images/p${pageIdx + 1}-${imageNo}.png` : '',
          ...(png ? { data: png } : {}),
          bbox: d.bbox,
          pageIdx,
        });
        return;
      }
      const text = draftText(d);
      const level = levels.get(d);
      if (level !== undefined) {
        blocks.push({ type: 'title', level, text, bbox: d.bbox, pageIdx });
        return;
      }
      if (isFormula(d)) {
        blocks.push({ type: 'equation', text, bbox: d.bbox, pageIdx });
        return;
      }
      if (d.marker) {
        const item = text.replace(/^(?:[•◦▪▫●○■□‣⁃∙·\-–*]|(?:\d{1,3}|[a-zA-Z]|[ivxlc]{1,5})[.)])\s+/, '');
        const ordered = d.marker === 'ordered';
        if (last?.type === 'list' && last.ordered === ordered && !d.columnBreak) last.items.push(item);
        else if (last?.type === 'list' && last.ordered === ordered && (last.pageIdx === pageIdx || i === 0)) last.items.push(item);
        else blocks.push({ type: 'list', ordered, items: [item], bbox: d.bbox, pageIdx });
        return;
      }
      // A paragraph cut by a column or page break goes on in this draft.
      if (d.columnBreak && last?.type === 'text' && endsOpen(last.text) && startsContinuation(text)) {
        last.text = joinLines([last.text, text]);
        return;
      }
      if (d.columnBreak && last?.type === 'list' && endsOpen(last.items[last.items.length - 1] ?? '.') && startsContinuation(text)) {
        last.items[last.items.length - 1] = joinLines([last.items[last.items.length - 1] as string, text]);
        return;
      }
      blocks.push({ type: 'text', text, bbox: d.bbox, pageIdx });
    });
  }
  return blocks;
}

function gridWidth(rows: TableCell[][]): number {
  return Math.max(0, ...rows.map((r) => r.reduce((n, c) => n + c.colspan, 0)));
}

function sameRow(a: TableCell[] | undefined, b: TableCell[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((c, i) => c.text === b[i]?.text);
}

export type { TableBlock };
