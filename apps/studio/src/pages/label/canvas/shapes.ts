// The image annotation model of the canvas, free of React and Konva so it can be tested under Node.
// Every coordinate is in image pixels (origin top-left of the image); zoom and pan never touch it.

export type Tool = 'select' | 'rect' | 'polygon' | 'line' | 'point' | 'tag';
export const DRAW_TOOLS = ['rect', 'polygon', 'line', 'point', 'tag'] as const;

export interface Pt {
  x: number;
  y: number;
}

interface Base {
  id: string;
  label: string;
}
export type Shape =
  | (Base & { kind: 'rect'; x: number; y: number; width: number; height: number })
  | (Base & { kind: 'polygon'; points: Pt[] })
  | (Base & { kind: 'line'; points: Pt[] })
  | (Base & { kind: 'point'; x: number; y: number })
  | (Base & { kind: 'tag' });

export type ShapeKind = Shape['kind'];

export interface ImageSize {
  width: number;
  height: number;
}

/** Coordinates are stored to 1/100 pixel: what a pointer can mean, and stable through JSON. */
export function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/** A point moved inside the image and rounded. */
export function clampPoint(p: Pt, img: ImageSize): Pt {
  return { x: round(Math.min(Math.max(p.x, 0), img.width)), y: round(Math.min(Math.max(p.y, 0), img.height)) };
}

/** The rectangle spanned by two corners dragged in any direction, inside the image. */
export function rectFromCorners(a: Pt, b: Pt, img: ImageSize): { x: number; y: number; width: number; height: number } {
  const p = clampPoint(a, img);
  const q = clampPoint(b, img);
  return { x: Math.min(p.x, q.x), y: Math.min(p.y, q.y), width: round(Math.abs(q.x - p.x)), height: round(Math.abs(q.y - p.y)) };
}

export function distance(a: Pt, b: Pt): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Shoelace area (absolute), used to refuse degenerate polygons. */
export function polygonArea(points: readonly Pt[]): number {
  let s = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i];
    const b = points[(i + 1) % points.length];
    s += a.x * b.y - b.x * a.y;
  }
  return Math.abs(s) / 2;
}

/** Whether a finished shape means something (a 1-pixel click-drag rectangle is an accident). */
export function isUsable(s: Shape): boolean {
  switch (s.kind) {
    case 'rect':
      return s.width >= 2 && s.height >= 2;
    case 'polygon':
      return s.points.length >= 3 && polygonArea(s.points) > 1;
    case 'line':
      return s.points.length >= 2 && s.points.some((p) => distance(p, s.points[0]) >= 2);
    default:
      return true;
  }
}

/** The shape moved by (dx, dy) image pixels, kept inside the image as a whole. */
export function translate(s: Shape, dx: number, dy: number, img: ImageSize): Shape {
  const pts = shapePoints(s);
  if (!pts.length) return s;
  const minX = Math.min(...pts.map((p) => p.x));
  const minY = Math.min(...pts.map((p) => p.y));
  const maxX = Math.max(...pts.map((p) => p.x));
  const maxY = Math.max(...pts.map((p) => p.y));
  const ddx = Math.min(Math.max(dx, -minX), img.width - maxX);
  const ddy = Math.min(Math.max(dy, -minY), img.height - maxY);
  const mv = (p: Pt): Pt => ({ x: round(p.x + ddx), y: round(p.y + ddy) });
  switch (s.kind) {
    case 'rect':
    case 'point': {
      const p = mv(s);
      return { ...s, x: p.x, y: p.y };
    }
    case 'polygon':
    case 'line':
      return { ...s, points: s.points.map(mv) };
    default:
      return s;
  }
}

/** The corner points of a shape (a rectangle's two corners), in image pixels. */
export function shapePoints(s: Shape): Pt[] {
  switch (s.kind) {
    case 'rect':
      return [
        { x: s.x, y: s.y },
        { x: s.x + s.width, y: s.y + s.height },
      ];
    case 'point':
      return [{ x: s.x, y: s.y }];
    case 'polygon':
    case 'line':
      return s.points;
    default:
      return [];
  }
}

/** Flattened [x0, y0, x1, y1, …] as Konva's Line wants. */
export function flat(points: readonly Pt[]): number[] {
  return points.flatMap((p) => [p.x, p.y]);
}
