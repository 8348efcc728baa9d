/**
 * Tables from ruled lines: rules that touch form a grid; a missing rule between two grid
 * cells merges them (that is how row and column spans are found); the text runs inside are
 * dealt to the cells by position. A run that straddles a column rule (pdfjs sometimes joins
 * neighbouring cells into one run) is cut at the space nearest to the rule.
 */
import type { BBox, TableCell } from '../model.js';
import type { Rule, TextRun } from './readPage.js';
import { toSegment } from './segments.js';

export interface FoundTable {
  bbox: BBox;
  rows: TableCell[][];
  /** Runs that belong to the table (removed from the body text). */
  runs: Set<TextRun>;
}

const TOL = 2;

export function findTables(rules: Rule[], runs: TextRun[]): FoundTable[] {
  const hs = mergeCollinear(rules.filter((r) => Math.abs(r.y1 - r.y0) < 0.5).map((r) => ({ pos: r.y0, a: r.x0, b: r.x1 })));
  const vs = mergeCollinear(rules.filter((r) => Math.abs(r.x1 - r.x0) < 0.5).map((r) => ({ pos: r.x0, a: r.y0, b: r.y1 })));
  const tables: FoundTable[] = [];
  for (const comp of components(hs, vs)) {
    const xs = clusterPositions(comp.v.map((l) => l.pos));
    const ys = clusterPositions(comp.h.map((l) => l.pos));
    if (xs.length < 2 || ys.length < 2) continue;
    const table = buildGrid(xs, ys, comp.h, comp.v, runs);
    if (table) tables.push(table);
  }
  return tables;
}

interface Line1D {
  pos: number;
  a: number;
  b: number;
}

function mergeCollinear(lines: Line1D[]): Line1D[] {
  const sorted = [...lines].sort((p, q) => p.pos - q.pos || p.a - q.a);
  const out: Line1D[] = [];
  for (const l of sorted) {
    const last = out.find((o) => Math.abs(o.pos - l.pos) < 1 && l.a <= o.b + TOL && l.b >= o.a - TOL);
    if (last) {
      last.a = Math.min(last.a, l.a);
      last.b = Math.max(last.b, l.b);
    } else out.push({ ...l });
  }
  return out;
}

function components(hs: Line1D[], vs: Line1D[]): { h: Line1D[]; v: Line1D[] }[] {
  const n = hs.length + vs.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  hs.forEach((h, i) => {
    vs.forEach((v, j) => {
      if (v.pos >= h.a - TOL && v.pos <= h.b + TOL && h.pos >= v.a - TOL && h.pos <= v.b + TOL) parent[find(i)] = find(hs.length + j);
    });
  });
  const groups = new Map<number, { h: Line1D[]; v: Line1D[] }>();
  hs.forEach((h, i) => {
    const g = groups.get(find(i)) ?? { h: [], v: [] };
    g.h.push(h);
    groups.set(find(i), g);
  });
  vs.forEach((v, j) => {
    const g = groups.get(find(hs.length + j)) ?? { h: [], v: [] };
    g.v.push(v);
    groups.set(find(hs.length + j), g);
  });
  return [...groups.values()].filter((g) => g.h.length >= 2 && g.v.length >= 2);
}

function clusterPositions(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last === undefined || v - last > TOL) out.push(v);
  }
  return out;
}

/** How much of [a, b] the lines at `pos` cover (0..1). */
function coverage(lines: Line1D[], pos: number, a: number, b: number): number {
  let covered = 0;
  for (const l of lines) {
    if (Math.abs(l.pos - pos) > TOL) continue;
    covered += Math.max(0, Math.min(b, l.b) - Math.max(a, l.a));
  }
  return b > a ? covered / (b - a) : 0;
}

function buildGrid(xs: number[], ys: number[], hs: Line1D[], vs: Line1D[], runs: TextRun[]): FoundTable | null {
  const R = ys.length - 1;
  const C = xs.length - 1;
  if (R * C > 20_000) return null;
  const id = (r: number, c: number) => r * C + c;
  const parent = Array.from({ length: R * C }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] as number;
    return i;
  };
  const join = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (let r = 0; r < R; r++)
    for (let c = 0; c < C; c++) {
      const [y0, y1, x0, x1] = [ys[r] as number, ys[r + 1] as number, xs[c] as number, xs[c + 1] as number];
      if (c + 1 < C && coverage(vs, x1, y0, y1) < 0.6) join(id(r, c), id(r, c + 1));
      if (r + 1 < R && coverage(hs, y1, x0, x1) < 0.6) join(id(r, c), id(r + 1, c));
    }
  const cells = new Map<number, { r0: number; c0: number; r1: number; c1: number; runs: TextRun[] }>();
  for (let r = 0; r < R; r++)
    for (let c = 0; c < C; c++) {
      const root = find(id(r, c));
      const cell = cells.get(root) ?? { r0: r, c0: c, r1: r, c1: c, runs: [] };
      cell.r0 = Math.min(cell.r0, r);
      cell.c0 = Math.min(cell.c0, c);
      cell.r1 = Math.max(cell.r1, r);
      cell.c1 = Math.max(cell.c1, c);
      cells.set(root, cell);
    }
  const bbox: BBox = [xs[0] as number, ys[0] as number, xs[C] as number, ys[R] as number];
  const inside = new Set<TextRun>();
  const locate = (x: number, list: number[]) => {
    for (let i = 0; i + 1 < list.length; i++) if (x < (list[i + 1] as number)) return i;
    return list.length - 2;
  };
  for (const run of runs) {
    const cx = (run.bbox[0] + run.bbox[2]) / 2;
    const cy = (run.bbox[1] + run.bbox[3]) / 2;
    if (cx < bbox[0] || cx > bbox[2] || cy < bbox[1] || cy > bbox[3]) continue;
    inside.add(run);
    const r = locate(cy, ys);
    for (const piece of splitAtRules(run, xs)) {
      const c = locate((piece.bbox[0] + piece.bbox[2]) / 2, xs);
      cells.get(find(id(r, c)))?.runs.push(piece);
    }
  }
  // A one-cell "table" is a framed box (a code block, a note), not a table.
  if (cells.size < 2) return null;
  const rows: TableCell[][] = Array.from({ length: R }, () => []);
  for (const cell of [...cells.values()].sort((a, b) => a.r0 - b.r0 || a.c0 - b.c0)) {
    const text = cellText(cell.runs);
    rows[cell.r0]?.push({ text, rowspan: cell.r1 - cell.r0 + 1, colspan: cell.c1 - cell.c0 + 1 });
  }
  return { bbox, rows: rows.filter((row) => row.length > 0), runs: inside };
}

function cellText(runs: TextRun[]): string {
  if (!runs.length) return '';
  const lines: TextRun[][] = [];
  for (const r of [...runs].sort((a, b) => a.baseline - b.baseline || a.bbox[0] - b.bbox[0])) {
    const line = lines.find((l) => Math.abs((l[0] as TextRun).baseline - r.baseline) < r.fontSize * 0.5);
    if (line) line.push(r);
    else lines.push([r]);
  }
  return lines
    .map((l) => toSegment(l.sort((a, b) => a.bbox[0] - b.bbox[0])).text)
    .join(' ')
    .trim();
}

/** Cuts a run that crosses inner column rules at the spaces nearest to them. */
function splitAtRules(run: TextRun, xs: number[]): TextRun[] {
  const inner = xs.slice(1, -1).filter((x) => x > run.bbox[0] + 1 && x < run.bbox[2] - 1);
  if (!inner.length || run.text.length < 2) return [run];
  const w = run.bbox[2] - run.bbox[0];
  const perChar = w / run.text.length;
  const cuts: number[] = [];
  for (const x of inner) {
    const ideal = (x - run.bbox[0]) / perChar;
    let best = -1;
    for (let i = 0; i < run.text.length; i++)
      if (run.text[i] === ' ' && (best < 0 || Math.abs(i - ideal) < Math.abs(best - ideal))) best = i;
    if (best > 0) cuts.push(best);
  }
  if (!cuts.length) return [run];
  const out: TextRun[] = [];
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b).concat(run.text.length)) {
    const text = run.text.slice(start, cut).trim();
    if (text) out.push({ ...run, text, bbox: [run.bbox[0] + start * perChar, run.bbox[1], run.bbox[0] + cut * perChar, run.bbox[3]] });
    start = cut + 1;
  }
  return out;
}
