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
  return pages.map((p) => {
    const out = new Set<Segment>();
    for (const s of p.segments) {
      const key = marginKey(s, p.height);
      if (key === undefined) continue;
      if ((pagesWith.get(key) ?? 0) >= repeated || PAGE_NUMBER.test(s.text.trim())) out.add(s);
    }
    return out;
  });
}
