/**
 * Running headers, footers and page numbers: lines in the top or bottom margin band whose
 * text (digits masked) repeats at the same height on many pages, plus anything there that
 * reads as a page number ("12", "Page 3 of 9", "- 4 -", "iv").
 */
import type { Segment } from './segments.js';

export interface MarginPage {
  height: number;
  segments: Segment[];
}

/** Share of the page height, from the top and from the bottom, that counts as margin. */
const BAND = 0.1;
const PAGE_NUMBER = /^(?:(?:page|p\.|第)\s*)?[-–—]?\s*(?:\d{1,5}|[ivxlcdm]{1,7})\s*[-–—]?(?:\s*(?:of|\/|共)\s*\d{1,5})?\s*(?:页)?$/i;

export function marginKey(s: Segment, height: number): string | undefined {
  const top = s.bbox[1] < height * BAND;
  const bottom = s.bbox[3] > height * (1 - BAND);
  if (!top && !bottom) return undefined;
  const text = s.text.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim().toLowerCase();
  return `${top ? 't' : 'b'}|${Math.round(s.bbox[1] / 4)}|${text}`;
}

/** Returns, per page, the segments to discard. */
export function findRunningLines(pages: MarginPage[]): Set<Segment>[] {
  const pagesWith = new Map<string, number>();
  for (const p of pages) {
    const keys = new Set(p.segments.map((s) => marginKey(s, p.height)).filter((k): k is string => k !== undefined));
    for (const k of keys) pagesWith.set(k, (pagesWith.get(k) ?? 0) + 1);
  }
  const repeated = Math.max(2, Math.ceil(pages.length * 0.4));
  const body = bodySize(pages);
  return pages.map((p) => {
    const out = new Set<Segment>();
    for (const s of p.segments) {
      const key = marginKey(s, p.height);
      if (key === undefined) continue;
      // Repetition needs two pages; on any page, small print alone at the very top (above
      // the body, in the top 6 %) is a running head too. Footnotes are small print at the
      // bottom, so the bottom band gets no such rule.
      const smallHead = s.bbox[3] < p.height * 0.06 && s.fontSize <= body * 0.85;
      if ((pagesWith.get(key) ?? 0) >= repeated || PAGE_NUMBER.test(s.text.trim()) || smallHead) out.add(s);
    }
    return out;
  });
}

function bodySize(pages: MarginPage[]): number {
  const weight = new Map<number, number>();
  for (const p of pages) for (const s of p.segments) weight.set(s.fontSize, (weight.get(s.fontSize) ?? 0) + s.text.length);
  let best = 0;
  let max = -1;
  for (const [size, w] of weight)
    if (w > max) {
      max = w;
      best = size;
    }
  return best;
}
