/**
 * Reads one PDF page through pdfjs into what layout analysis needs: text runs with their
 * boxes and fonts, ruled lines (table borders), small filled marks (list bullets drawn as
 * paths, as Chromium does) and images, all in top-left-origin points.
 */
import type { BBox } from '../model.js';
import { apply, type Matrix, multiply, transformBox } from './geometry.js';
import type { PdfPage } from './pdfjs.js';
import { loadPdfJs } from './pdfjs.js';

export interface TextRun {
  text: string;
  bbox: BBox;
  /** Baseline y (top-left origin). */
  baseline: number;
  fontSize: number;
  bold: boolean;
  italic: boolean;
  fontName: string;
  /** Text not written left-to-right horizontally (rotated or vertical). */
  rotated: boolean;
}

/** An axis-aligned ruled segment: horizontal when y0 === y1 (to rounding), else vertical. */
export interface Rule {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface RawImage {
  bbox: BBox;
  width: number;
  height: number;
  /** RGBA pixels, or undefined when pdfjs did not hand them out. */
  rgba?: Uint8Array;
}

export interface RawPage {
  width: number;
  height: number;
  runs: TextRun[];
  rules: Rule[];
  marks: BBox[];
  images: RawImage[];
  /** Glyph-showing operators seen: > 0 with no runs means text drawn without a text layer. */
  glyphOps: number;
  /** Image-painting operators seen (counted even when images are not collected). */
  imageOps: number;
}

const BOLD_RE = /bold|black|heavy|semibold|demibold|[-,]bd\b|w[6-9]$/i;
const ITALIC_RE = /italic|oblique/i;
/** A rule is at most this thick (points); thicker fills are backgrounds. */
const RULE_MAX = 2.5;

export async function readPage(page: PdfPage, withImages: boolean): Promise<RawPage> {
  const pdfjs = await loadPdfJs();
  const viewport = page.getViewport({ scale: 1 });
  const base = viewport.transform as Matrix;
  const ops = await page.getOperatorList();
  const content = await page.getTextContent();

  const runs: TextRun[] = [];
  for (const item of content.items) {
    if (!('str' in item) || item.str.trim() === '') continue;
    const m = multiply(base, item.transform as Matrix);
    const size = Math.hypot(m[2], m[3]) || Math.abs(m[3]) || 1;
    const style = content.styles[item.fontName];
    const ascent = style?.ascent && style.ascent > 0.3 ? style.ascent : 0.85;
    const descent = style?.descent && style.descent < 0 ? style.descent : -0.2;
    const font = fontInfo(page, item.fontName);
    const x = m[4];
    const y = m[5];
    const rotated = Math.abs(m[1]) > 1e-3 || Math.abs(m[2]) > 1e-3 || m[0] < 0;
    const w = item.width * (viewport.scale || 1);
    runs.push({
      text: item.str,
      bbox: rotated ? [x, y - size, x + Math.max(w, size), y] : [x, y - ascent * size, x + w, y - descent * size],
      baseline: y,
      fontSize: Math.round(size * 10) / 10,
      bold: BOLD_RE.test(font.name) || font.bold,
      italic: ITALIC_RE.test(font.name),
      fontName: font.name,
      rotated,
    });
  }

  const rules: Rule[] = [];
  const marks: BBox[] = [];
  const images: RawImage[] = [];
  const OPS = pdfjs.OPS;
  const stack: Matrix[] = [];
  let ctm: Matrix = base;
  let lineWidth = 1;
  let glyphOps = 0;
  let imageOps = 0;
  const fill = new Set<number>([OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
  const stroke = new Set<number>([
    OPS.stroke,
    OPS.closeStroke,
    OPS.fillStroke,
    OPS.eoFillStroke,
    OPS.closeFillStroke,
    OPS.closeEOFillStroke,
  ]);
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[];
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? base;
    else if (fn === OPS.transform) ctm = multiply(ctm, args as unknown as Matrix);
    else if (fn === OPS.setLineWidth) lineWidth = Number(args[0]) || 0;
    else if (fn === OPS.showText || fn === OPS.showSpacedText || fn === OPS.nextLineShowText || fn === OPS.nextLineSetSpacingShowText)
      glyphOps++;
    else if (fn === OPS.constructPath) {
      const drawOp = args[0] as number;
      const path = (args[1] as ArrayLike<number>[] | undefined)?.[0];
      const minMax = args[2] as ArrayLike<number> | undefined;
      if (!minMax || minMax.length < 4 || !Number.isFinite(minMax[0])) continue;
      const box = transformBox(ctm, minMax[0], minMax[1], minMax[2], minMax[3]);
      const w = box[2] - box[0];
      const h = box[3] - box[1];
      if (fill.has(drawOp)) {
        if ((h <= RULE_MAX && w > 3) || (w <= RULE_MAX && h > 3)) rules.push(centerLine(box));
        else if (w > 1 && h > 1 && w < 8 && h < 8) marks.push(box);
      }
      if (stroke.has(drawOp) && path) {
        const lw = Math.abs(lineWidth * Math.hypot(ctm[0], ctm[1]));
        if (lw <= RULE_MAX * 2) rules.push(...strokedSegments(path, ctm));
      }
    } else if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject || fn === OPS.paintImageMaskXObject) {
      imageOps++;
      if (!withImages || fn === OPS.paintImageMaskXObject) continue;
      const bbox = transformBox(ctm, 0, 0, 1, 1);
      if (bbox[2] - bbox[0] < 8 || bbox[3] - bbox[1] < 8) continue;
      const data = fn === OPS.paintInlineImageXObject ? args[0] : await objectOf(page, String(args[0]));
      images.push({ bbox, ...pixels(data) });
    }
  }
  return { width: viewport.width, height: viewport.height, runs, rules, marks, images, glyphOps, imageOps };
}

function centerLine(b: BBox): Rule {
  const w = b[2] - b[0];
  const h = b[3] - b[1];
  if (w >= h) return { x0: b[0], x1: b[2], y0: (b[1] + b[3]) / 2, y1: (b[1] + b[3]) / 2 };
  return { x0: (b[0] + b[2]) / 2, x1: (b[0] + b[2]) / 2, y0: b[1], y1: b[3] };
}

/** Axis-aligned straight segments of a path (pdfjs DrawOPS: 0 moveTo, 1 lineTo, 2 curveTo, 3 quadTo, 4 close). */
function strokedSegments(path: ArrayLike<number>, ctm: Matrix): Rule[] {
  const out: Rule[] = [];
  let cx = 0;
  let cy = 0;
  let sx = 0;
  let sy = 0;
  const seg = (x0: number, y0: number, x1: number, y1: number) => {
    const [a, b] = apply(ctm, x0, y0);
    const [c, d] = apply(ctm, x1, y1);
    if (Math.abs(b - d) < 0.5 && Math.abs(a - c) > 3) out.push({ x0: Math.min(a, c), x1: Math.max(a, c), y0: b, y1: b });
    else if (Math.abs(a - c) < 0.5 && Math.abs(b - d) > 3) out.push({ x0: a, x1: a, y0: Math.min(b, d), y1: Math.max(b, d) });
  };
  for (let i = 0; i < path.length; ) {
    const op = path[i];
    if (op === 0) {
      cx = sx = path[i + 1] as number;
      cy = sy = path[i + 2] as number;
      i += 3;
    } else if (op === 1) {
      seg(cx, cy, path[i + 1] as number, path[i + 2] as number);
      cx = path[i + 1] as number;
      cy = path[i + 2] as number;
      i += 3;
    } else if (op === 2) {
      cx = path[i + 5] as number;
      cy = path[i + 6] as number;
      i += 7;
    } else if (op === 3) {
      cx = path[i + 3] as number;
      cy = path[i + 4] as number;
      i += 5;
    } else if (op === 4) {
      seg(cx, cy, sx, sy);
      cx = sx;
      cy = sy;
      i += 1;
    } else break;
  }
  return out;
}

function fontInfo(page: PdfPage, loadedName: string): { name: string; bold: boolean } {
  try {
    const f = page.commonObjs.get(loadedName) as { name?: string; bold?: boolean; black?: boolean } | undefined;
    return { name: f?.name ?? loadedName, bold: Boolean(f?.bold || f?.black) };
  } catch {
    return { name: loadedName, bold: false };
  }
}

/** pdfjs hands image data to this thread when it is ready: wait for it (bounded). */
function objectOf(page: PdfPage, id: string): Promise<unknown> {
  const store = (id.startsWith('g_') ? page.commonObjs : page.objs) as unknown as { get(id: string, cb: (v: unknown) => void): void };
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 5000);
    try {
      store.get(id, (v) => {
        clearTimeout(timer);
        resolve(v);
      });
    } catch {
      clearTimeout(timer);
      resolve(undefined);
    }
  });
}

/** pdfjs image kinds: 1 grayscale 1 bit per pixel, 2 RGB 24 bit, 3 RGBA 32 bit. */
function pixels(data: unknown): { width: number; height: number; rgba?: Uint8Array } {
  const img = data as { width?: number; height?: number; kind?: number; data?: Uint8Array | Uint8ClampedArray } | undefined;
  const width = img?.width ?? 0;
  const height = img?.height ?? 0;
  const src = img?.data;
  if (!src || !width || !height || width * height > 40_000_000) return { width, height };
  const n = width * height;
  const rgba = new Uint8Array(n * 4);
  if (img.kind === 3 && src.length >= n * 4) rgba.set(src.subarray(0, n * 4));
  else if (img.kind === 2 && src.length >= n * 3) {
    for (let p = 0; p < n; p++) {
      rgba[p * 4] = src[p * 3] as number;
      rgba[p * 4 + 1] = src[p * 3 + 1] as number;
      rgba[p * 4 + 2] = src[p * 3 + 2] as number;
      rgba[p * 4 + 3] = 255;
    }
  } else if (img.kind === 1) {
    const rowBytes = (width + 7) >> 3;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const bit = ((src[y * rowBytes + (x >> 3)] as number) >> (7 - (x & 7))) & 1;
        const v = bit ? 255 : 0;
        const p = (y * width + x) * 4;
        rgba[p] = rgba[p + 1] = rgba[p + 2] = v;
        rgba[p + 3] = 255;
      }
  } else return { width, height };
  return { width, height, rgba };
}
