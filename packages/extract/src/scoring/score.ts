/**
 * Scores an extraction (any tool's Markdown or plain text) against a generated document's
 * ground truth: normalised text edit distance, heading-level accuracy, table-cell accuracy,
 * reading order of the two-column section, and running header/footer leakage. Every tool is
 * scored from its text output by the same functions, so ours gets no help from its blocks.
 */
import { toMarkdown } from '../markdown.js';
import type { Block, TableCell } from '../model.js';

export interface TruthDocument {
  name: string;
  header: string;
  pages: number;
  blocks: Block[];
  columnParagraphs: string[];
}

export interface DocumentScore {
  /** Levenshtein distance / length of the longer text, after Markdown syntax is stripped (0 best). */
  editDistance: number;
  /** Truth headings found with the right level / (truth headings + spurious headings) (1 best). */
  headingAccuracy: number;
  /** Truth table cells found in the same column of a matched table (1 best); null when no tables. */
  tableCellAccuracy: number | null;
  /** Share of consecutive two-column paragraphs found in order (1 best); null when none. */
  readingOrder: number | null;
  /** Running header and "Page N of M" lines left in the text, per page and line (0 best). */
  headerFooterLeakage: number;
}

const CJK = '\\u2e80-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef\\u3000-\\u303f';

/** Markdown/HTML → the text a reader sees, whitespace normalised (none between CJK characters). */
export function plainText(md: string): string {
  return md
    .replace(/<\/(td|th|tr|p|li|h\d)>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .split('\n')
    .filter((l) => !/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(l))
    .map((l) =>
      l
        .replace(/^\s*#{1,6}\s+/, '')
        .replace(/^\s*(?:[-*+•]|\d{1,3}[.)])\s+/, '')
        .replace(/\|/g, ' ')
        .replace(/\*\*|__|`/g, '')
        .replace(/!\[[^\]]*\]\([^)]*\)/g, ''),
    )
    .join('\n')
    .replace(/\s+/g, ' ')
    .replace(new RegExp(`([${CJK}]) (?=[${CJK}])`, 'g'), '$1')
    .trim();
}

export function levenshtein(a: string, b: string): number {
  const A = Array.from(a);
  const B = Array.from(b);
  if (!A.length) return B.length;
  if (!B.length) return A.length;
  let prev = new Uint32Array(B.length + 1).map((_, j) => j);
  let cur = new Uint32Array(B.length + 1);
  for (let i = 1; i <= A.length; i++) {
    cur[0] = i;
    const ca = A[i - 1];
    for (let j = 1; j <= B.length; j++) {
      const sub = (prev[j - 1] as number) + (ca === B[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[B.length] as number;
}

export function normalisedEditDistance(a: string, b: string): number {
  const n = Math.max(Array.from(a).length, Array.from(b).length);
  return n ? levenshtein(a, b) / n : 0;
}

/** For matching headings and probes: NFKC (folds CJK radical look-alikes), no spaces, lower case. */
const key = (s: string) => plainText(s).normalize('NFKC').replace(/\s+/g, '').toLowerCase();

export function markdownHeadings(md: string): { level: number; text: string }[] {
  const out: { level: number; text: string }[] = [];
  for (const line of md.split('\n')) {
    const m = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (m) out.push({ level: (m[1] as string).length, text: (m[2] as string).replace(/\*\*/g, '') });
  }
  return out;
}

export function headingAccuracy(truth: Block[], md: string): number {
  const want = truth
    .filter((b): b is Extract<Block, { type: 'title' }> => b.type === 'title')
    .map((b) => ({ level: b.level, k: key(b.text) }));
  const got = markdownHeadings(md).map((h) => ({ level: h.level, k: key(h.text), used: false }));
  let correct = 0;
  for (const w of want) {
    const hit = got.find((g) => !g.used && (g.k === w.k || (w.k.length > 3 && 1 - normalisedEditDistance(g.k, w.k) >= 0.8)));
    if (!hit) continue;
    hit.used = true;
    if (hit.level === w.level) correct++;
  }
  const spurious = got.filter((g) => !g.used).length;
  return want.length + spurious ? correct / (want.length + spurious) : 1;
}

/** Cells as "column:text" keys, the column counted on the grid with spans expanded. */
function cellKeys(rows: TableCell[][]): string[] {
  const taken = new Set<string>();
  const keys: string[] = [];
  rows.forEach((row, r) => {
    let c = 0;
    for (const cell of row) {
      while (taken.has(`${r},${c}`)) c++;
      for (let dr = 0; dr < cell.rowspan; dr++) for (let dc = 0; dc < cell.colspan; dc++) taken.add(`${r + dr},${c + dc}`);
      if (cell.text.trim()) keys.push(`${c}:${key(cell.text)}`);
      c += cell.colspan;
    }
  });
  return keys;
}

/** Tables in Markdown output: pipe tables and HTML <table>s. */
export function markdownTables(md: string): TableCell[][][] {
  const tables: TableCell[][][] = [];
  for (const t of md.match(/<table[\s\S]*?<\/table>/gi) ?? []) {
    const rows: TableCell[][] = [];
    for (const tr of t.match(/<tr[\s\S]*?<\/tr>/gi) ?? []) {
      const row: TableCell[] = [];
      for (const m of tr.matchAll(/<t[hd]([^>]*)>([\s\S]*?)<\/t[hd]>/gi)) {
        const attrs = m[1] ?? '';
        row.push({
          text: plainText(m[2] ?? ''),
          rowspan: Number(/rowspan="?(\d+)/i.exec(attrs)?.[1] ?? 1),
          colspan: Number(/colspan="?(\d+)/i.exec(attrs)?.[1] ?? 1),
        });
      }
      rows.push(row);
    }
    tables.push(rows);
  }
  let cur: TableCell[][] | undefined;
  for (const line of md.replace(/<table[\s\S]*?<\/table>/gi, '').split('\n')) {
    if (/^\s*\|.*\|\s*$/.test(line)) {
      if (/^\s*\|?\s*:?-{3,}/.test(line)) continue;
      cur ??= [];
      const cells = line
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/);
      cur.push(cells.map((c) => ({ text: c.replace(/<br\s*\/?>/gi, ' ').trim(), rowspan: 1, colspan: 1 })));
    } else if (cur) {
      tables.push(cur);
      cur = undefined;
    }
  }
  if (cur) tables.push(cur);
  return tables;
}

export function tableCellAccuracy(truth: Block[], md: string): number | null {
  const want = truth.filter((b): b is Extract<Block, { type: 'table' }> => b.type === 'table').map((b) => cellKeys(b.rows));
  if (!want.length) return null;
  const got = markdownTables(md).map(cellKeys);
  let hit = 0;
  let total = 0;
  for (const w of want) {
    total += w.length;
    let best = 0;
    for (const g of got) {
      const bag = new Map<string, number>();
      for (const k of g) bag.set(k, (bag.get(k) ?? 0) + 1);
      let n = 0;
      for (const k of w) {
        const c = bag.get(k) ?? 0;
        if (c > 0) {
          n++;
          bag.set(k, c - 1);
        }
      }
      best = Math.max(best, n);
    }
    hit += best;
  }
  return total ? hit / total : null;
}

/**
 * Share of consecutive two-column paragraphs that come out whole and in order: a paragraph is
 * whole when its first and last 20 characters are found with the right span between them (so
 * lines interleaved from both columns fail), and in order when it ends before the next starts.
 */
export function readingOrderScore(paragraphs: string[], md: string): number | null {
  if (paragraphs.length < 2) return null;
  const text = key(md);
  const spans = paragraphs.map((p) => {
    const k = key(p);
    const start = text.indexOf(k.slice(0, 20));
    const end = start < 0 ? -1 : text.indexOf(k.slice(-20), start);
    const whole = start >= 0 && end >= start && end + 20 - start <= k.length * 1.2;
    return whole ? [start, end] : undefined;
  });
  let ok = 0;
  for (let i = 0; i + 1 < spans.length; i++) {
    const a = spans[i];
    const b = spans[i + 1];
    if (a && b && a[1] < b[0]) ok++;
  }
  return ok / (spans.length - 1);
}

export function headerFooterLeakage(header: string, pages: number, md: string): number {
  const text = key(md);
  const h = key(header);
  let found = h ? text.split(h).length - 1 : 0;
  found += (text.match(/page\d+of\d+/g) ?? []).length;
  return found / (pages * (h ? 2 : 1));
}

export function scoreDocument(truth: TruthDocument, md: string): DocumentScore {
  return {
    editDistance: normalisedEditDistance(plainText(toMarkdown(truth.blocks)), plainText(md)),
    headingAccuracy: headingAccuracy(truth.blocks, md),
    tableCellAccuracy: tableCellAccuracy(truth.blocks, md),
    readingOrder: readingOrderScore(truth.columnParagraphs, md),
    headerFooterLeakage: headerFooterLeakage(truth.header, truth.pages, md),
  };
}
