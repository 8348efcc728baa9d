/**
 * Tables without rules, found by column alignment: three or more consecutive lines, each cut
 * into short segments, whose segments fall into the same column bands (the union of their
 * x-extents leaves the same vertical gaps). Lines of a two-column page are not taken for a
 * table: their segments are wide (a column of running text), table cells are short.
 */
import type { BBox, TableCell } from '../model.js';
import type { Segment } from './segments.js';
import type { FoundTable } from './tables.js';

const MIN_ROWS = 3;
/** A cell wider than this share of the row's extent is running text, not a cell. */
const MAX_CELL_SHARE = 0.4;
const MIN_COLUMN_GAP = 8;

function bandsOf(segs: Segment[]): [number, number][] {
  const spans = segs.map((s) => [s.bbox[0], s.bbox[2]] as [number, number]).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = out[out.length - 1];
    if (last && a - last[1] < MIN_COLUMN_GAP) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function findAlignedTables(segments: Segment[]): FoundTable[] {
  const rows: Segment[][] = [];
  for (const s of [...segments].sort((a, b) => a.baseline - b.baseline || a.bbox[0] - b.bbox[0])) {
    const row = rows[rows.length - 1];
    if (row && Math.abs((row[0] as Segment).baseline - s.baseline) < s.fontSize * 0.3) row.push(s);
    else rows.push([s]);
  }
  const isCandidate = (row: Segment[]) => {
    if (row.length < 2) return false;
    const extent = Math.max(...row.map((s) => s.bbox[2])) - Math.min(...row.map((s) => s.bbox[0]));
    return row.every((s) => s.bbox[2] - s.bbox[0] < MAX_CELL_SHARE * extent) && bandsOf(row).length >= 2;
  };
  const tables: FoundTable[] = [];
  let i = 0;
  while (i < rows.length) {
    if (!isCandidate(rows[i] as Segment[])) {
      i++;
      continue;
    }
    let j = i + 1;
    let bands = bandsOf(rows[i] as Segment[]);
    while (j < rows.length && isCandidate(rows[j] as Segment[])) {
      const prev = rows[j - 1] as Segment[];
      const cur = rows[j] as Segment[];
      const lineH = Math.max(...prev.map((s) => s.bbox[3] - s.bbox[1]));
      const gap = Math.min(...cur.map((s) => s.bbox[1])) - Math.max(...prev.map((s) => s.bbox[3]));
      const merged = bandsOf(rows.slice(i, j + 1).flat());
      if (gap > 1.2 * lineH || merged.length < Math.min(bands.length, bandsOf(cur).length)) break;
      bands = merged;
      j++;
    }
    if (j - i >= MIN_ROWS && bands.length >= 2) {
      const block = rows.slice(i, j);
      const cells: TableCell[][] = block.map((row) =>
        bands.map(([a, b]) => ({
          text: row
            .filter((s) => (s.bbox[0] + s.bbox[2]) / 2 >= a && (s.bbox[0] + s.bbox[2]) / 2 <= b)
            .map((s) => s.text)
            .join(' '),
          rowspan: 1,
          colspan: 1,
        })),
      );
      const all = block.flat();
      const bbox: BBox = [
        Math.min(...all.map((s) => s.bbox[0])),
        Math.min(...all.map((s) => s.bbox[1])),
        Math.max(...all.map((s) => s.bbox[2])),
        Math.max(...all.map((s) => s.bbox[3])),
      ];
      tables.push({ bbox, rows: cells, runs: new Set(all.flatMap((s) => s.runs)) });
      i = j;
    } else i = Math.max(i + 1, j);
  }
  return tables;
}
