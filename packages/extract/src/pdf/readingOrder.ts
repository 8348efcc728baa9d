/**
 * Reading order by recursive XY-cut. A region splits first at a vertical gutter (a gap in
 * the x-projection that runs the region's whole height: columns, read left to right), else
 * into horizontal bands. Consecutive bands that share a gutter, or that sit inside one side
 * of it, are kept together before recursing, so two columns whose paragraph gaps happen to
 * line up are not cut into interleaved slices (the classic XY-cut failure).
 */
import type { BBox } from '../model.js';

export interface Boxed {
  bbox: BBox;
}

/** The narrowest gap that counts as a column gutter, in points. */
const MIN_GUTTER = 6;

export function readingOrder<T extends Boxed>(items: T[]): T[] {
  return cut(items, 0);
}

function cut<T extends Boxed>(items: T[], depth: number): T[] {
  if (items.length <= 1 || depth > 40) return sortTopDown(items);
  const columns = splitVertical(items);
  if (columns.length > 1) return columns.flatMap((c) => cut(c, depth + 1));
  const bands = splitHorizontal(items);
  if (bands.length <= 1) return sortTopDown(items);
  const groups = groupBands(bands);
  if (groups.length === 1 && groups[0]?.length === items.length) return sortTopDown(items);
  return groups.flatMap((g) => cut(g, depth + 1));
}

function sortTopDown<T extends Boxed>(items: T[]): T[] {
  return [...items].sort((a, b) => {
    const overlap = Math.min(a.bbox[3], b.bbox[3]) - Math.max(a.bbox[1], b.bbox[1]);
    const minH = Math.min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]);
    if (overlap > 0.5 * minH) return a.bbox[0] - b.bbox[0];
    return a.bbox[1] - b.bbox[1];
  });
}

/** Intervals of the axis not covered by any item, between the items' extremes. */
function gaps(items: Boxed[], lo: 0 | 1, minGap: number): [number, number][] {
  const hi = (lo + 2) as 2 | 3;
  const spans = items.map((i) => [i.bbox[lo], i.bbox[hi]] as [number, number]).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let end = spans[0]?.[1] ?? 0;
  for (const [a, b] of spans.slice(1)) {
    if (a - end >= minGap) out.push([end, a]);
    end = Math.max(end, b);
  }
  return out;
}

function splitAt<T extends Boxed>(items: T[], lo: 0 | 1, cuts: [number, number][]): T[][] {
  const parts: T[][] = Array.from({ length: cuts.length + 1 }, () => []);
  for (const it of items) {
    let k = 0;
    while (k < cuts.length && it.bbox[lo] >= (cuts[k] as [number, number])[1]) k++;
    parts[k]?.push(it);
  }
  return parts.filter((p) => p.length);
}

/**
 * Columns must each be a real share of the region: a narrow strip (section numbers in a table
 * of contents, a label column) beside a gap is not a column to read on its own.
 */
function splitVertical<T extends Boxed>(items: T[]): T[][] {
  const parts = splitAt(items, 0, gaps(items, 0, MIN_GUTTER));
  if (parts.length < 2) return parts;
  const width = Math.max(...items.map((i) => i.bbox[2])) - Math.min(...items.map((i) => i.bbox[0]));
  const narrow = parts.some((p) => Math.max(...p.map((i) => i.bbox[2])) - Math.min(...p.map((i) => i.bbox[0])) < 0.2 * width);
  return narrow ? [items] : parts;
}

function splitHorizontal<T extends Boxed>(items: T[]): T[][] {
  return splitAt(items, 1, gaps(items, 1, 0.01));
}

function groupBands<T extends Boxed>(bands: T[][]): T[][] {
  const out: T[][] = [];
  let group: T[] = [];
  let gutter: [number, number] | undefined;
  const flush = () => {
    if (group.length) out.push(group);
    group = [];
    gutter = undefined;
  };
  for (const band of bands) {
    const own = gaps(band, 0, MIN_GUTTER);
    if (gutter) {
      const g = gutter;
      const sharesGutter = own.some(([a, b]) => Math.min(b, g[1]) - Math.max(a, g[0]) > 0);
      const crosses = band.some((it) => it.bbox[0] < g[1] - 0.5 && it.bbox[2] > g[0] + 0.5);
      // A band that only fits beside the gutter (the longer column's last lines) must follow
      // at line spacing; one after a wider gap (a heading under the columns) starts anew.
      const top = Math.min(...band.map((it) => it.bbox[1]));
      const height = Math.max(...band.map((it) => it.bbox[3])) - top;
      const close = top - Math.max(...group.map((it) => it.bbox[3])) < 0.8 * height;
      if (sharesGutter || (!crosses && close)) {
        group.push(...band);
        if (sharesGutter) {
          const o = own.find(([a, b]) => Math.min(b, g[1]) - Math.max(a, g[0]) > 0) as [number, number];
          gutter = [Math.max(o[0], g[0]), Math.min(o[1], g[1])];
        }
        continue;
      }
      flush();
    }
    if (own.length) {
      flush();
      group = [...band];
      gutter = own.reduce((w, g) => (g[1] - g[0] > w[1] - w[0] ? g : w));
    } else {
      flush();
      out.push(band);
    }
  }
  flush();
  return out;
}
