/**
 * Text runs → line segments: runs that share a line (vertical overlap) and follow each other
 * closely. A wide horizontal gap (a column gutter, a gap between table cells) starts a new
 * segment, so reading order and tables work on segments, not whole page-wide lines.
 */
import type { BBox } from '../model.js';
import type { TextRun } from './readPage.js';

export interface Segment {
  text: string;
  bbox: BBox;
  /** The font size most of its characters have. */
  fontSize: number;
  bold: boolean;
  italic: boolean;
  baseline: number;
  runs: TextRun[];
}

const CJK = /[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
export const isCjk = (ch: string | undefined): boolean => ch !== undefined && CJK.test(ch);

/** A gap wider than this many font sizes splits a line into segments. */
const SPLIT_GAP_EM = 0.9;

export function buildSegments(runs: TextRun[]): Segment[] {
  const rows: TextRun[][] = [];
  const sorted = [...runs].filter((r) => !r.rotated).sort((a, b) => a.baseline - b.baseline || a.bbox[0] - b.bbox[0]);
  for (const run of sorted) {
    const row = rows.find((r) => sameLine(r, run));
    if (row) row.push(run);
    else rows.push([run]);
  }
  const out: Segment[] = [];
  for (const row of rows) {
    row.sort((a, b) => a.bbox[0] - b.bbox[0]);
    let cur: TextRun[] = [];
    for (const run of row) {
      const prev = cur[cur.length - 1];
      if (prev) {
        const gap = run.bbox[0] - prev.bbox[2];
        const em = Math.min(prev.fontSize, run.fontSize);
        if (gap > SPLIT_GAP_EM * em || gap < -em * 2) {
          out.push(toSegment(cur));
          cur = [];
        }
      }
      cur.push(run);
    }
    if (cur.length) out.push(toSegment(cur));
  }
  // Rotated text (margin stamps, vertical labels) is kept as its own segments.
  for (const r of runs.filter((r) => r.rotated)) out.push(toSegment([r]));
  return out;
}

function sameLine(row: TextRun[], run: TextRun): boolean {
  const last = row[row.length - 1] as TextRun;
  const top = Math.max(last.bbox[1], run.bbox[1]);
  const bottom = Math.min(last.bbox[3], run.bbox[3]);
  const overlap = bottom - top;
  const minH = Math.min(last.bbox[3] - last.bbox[1], run.bbox[3] - run.bbox[1]);
  return overlap > 0.5 * minH && Math.abs(last.baseline - run.baseline) < Math.max(last.fontSize, run.fontSize) * 0.6;
}

/**
 * CJK fonts often map ideographs to their look-alikes in the Kangxi Radicals and CJK Radicals
 * Supplement blocks (⾃ U+2F83 for 自 U+81EA); NFKC folds those back. Only those blocks are
 * folded: NFKC on everything would also turn full-width punctuation (，：) into ASCII.
 */
export function foldRadicals(text: string): string {
  return text.replace(/[\u2e80-\u2eff\u2f00-\u2fdf]/g, (c) => SIMPLIFIED_RADICALS[c] ?? c.normalize('NFKC'));
}

/**
 * Radicals NFKC leaves alone (the CJK Radicals Supplement has no decompositions) or folds to
 * a traditional form, mapped to the simplified character fonts such as Noto Sans CJK SC draw.
 */
const RADICAL_PAIRS =
  '⻋车⻅见⻓长⻔门⻢马⻰龙⻥鱼⻦鸟⻉贝⻚页⻛风⻜飞⻝食⻄西⻆角⻈讠⻙韦⻬齐⻮齿⻳龟⺟母⺠民⺬示⺮竹⻘青⻨麦⻩黄⻪黾⺁厂⺇几⺌小⺗心⺝月⺩王⺫罒⺶羊⻊足⻏阝⼾户';
const SIMPLIFIED_RADICALS: Record<string, string> = {};
for (let i = 0; i + 1 < RADICAL_PAIRS.length; i += 2) SIMPLIFIED_RADICALS[RADICAL_PAIRS[i] as string] = RADICAL_PAIRS[i + 1] as string;

export function toSegment(runs: TextRun[]): Segment {
  let text = '';
  let prev: TextRun | undefined;
  const sizeWeight = new Map<number, number>();
  let boldChars = 0;
  let italicChars = 0;
  let chars = 0;
  for (const r of runs) {
    if (prev) {
      const gap = r.bbox[0] - prev.bbox[2];
      const needSpace = gap > 0.15 * Math.min(prev.fontSize, r.fontSize) && !/\s$/.test(text) && !/^\s/.test(r.text);
      if (needSpace && !(isCjk(text[text.length - 1]) && isCjk(r.text[0]))) text += ' ';
    }
    text += foldRadicals(r.text);
    const n = r.text.replace(/\s/g, '').length;
    chars += n;
    if (r.bold) boldChars += n;
    if (r.italic) italicChars += n;
    sizeWeight.set(r.fontSize, (sizeWeight.get(r.fontSize) ?? 0) + n);
    prev = r;
  }
  let fontSize = runs[0]?.fontSize ?? 0;
  let best = -1;
  for (const [s, w] of sizeWeight)
    if (w > best) {
      best = w;
      fontSize = s;
    }
  const bbox: BBox = [
    Math.min(...runs.map((r) => r.bbox[0])),
    Math.min(...runs.map((r) => r.bbox[1])),
    Math.max(...runs.map((r) => r.bbox[2])),
    Math.max(...runs.map((r) => r.bbox[3])),
  ];
  const main = runs.find((r) => r.fontSize === fontSize) ?? runs[0];
  return {
    text: text.replace(/\s+/g, ' ').trim(),
    bbox,
    fontSize,
    bold: chars > 0 && boldChars / chars > 0.6,
    italic: chars > 0 && italicChars / chars > 0.6,
    baseline: main?.baseline ?? bbox[3],
    runs,
  };
}
