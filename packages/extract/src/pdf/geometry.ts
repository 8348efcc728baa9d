import type { BBox } from '../model.js';

/** A 2-D affine matrix [a, b, c, d, e, f] as PDF writes it. */
export type Matrix = [number, number, number, number, number, number];

export function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

export function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/** The axis-aligned box of a rectangle given in user space, mapped through `m`. */
export function transformBox(m: Matrix, x0: number, y0: number, x1: number, y1: number): BBox {
  const pts = [apply(m, x0, y0), apply(m, x1, y0), apply(m, x0, y1), apply(m, x1, y1)];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

export function union(a: BBox, b: BBox): BBox {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

export function unionAll(boxes: BBox[]): BBox {
  let out = boxes[0] as BBox;
  for (const b of boxes) out = union(out, b);
  return out;
}

export function contains(outer: BBox, x: number, y: number, pad = 0): boolean {
  return x >= outer[0] - pad && x <= outer[2] + pad && y >= outer[1] - pad && y <= outer[3] + pad;
}

export const round2 = (v: number): number => Math.round(v * 100) / 100;
