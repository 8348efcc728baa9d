// Zoom and pan of the canvas: a scale and an offset mapping image pixels to screen pixels
// (screen = image * scale + offset). Annotations never see these numbers.
import type { ImageSize, Pt } from './shapes.js';

export interface Viewport {
  scale: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 40;

export function toImage(v: Viewport, screen: Pt): Pt {
  return { x: (screen.x - v.x) / v.scale, y: (screen.y - v.y) / v.scale };
}

export function toScreen(v: Viewport, img: Pt): Pt {
  return { x: img.x * v.scale + v.x, y: img.y * v.scale + v.y };
}

/** Zoom by `factor` about a screen point, which keeps showing the same image pixel. */
export function zoomAt(v: Viewport, screen: Pt, factor: number): Viewport {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
  const anchor = toImage(v, screen);
  return { scale, x: screen.x - anchor.x * scale, y: screen.y - anchor.y * scale };
}

/** One wheel notch: up zooms in, down zooms out (deltaY sign as browsers report it). */
export function wheelFactor(deltaY: number): number {
  return deltaY < 0 ? 1.1 : 1 / 1.1;
}

export function pan(v: Viewport, dx: number, dy: number): Viewport {
  return { ...v, x: v.x + dx, y: v.y + dy };
}

/** The whole image centred in a box, never enlarged past 1:1. */
export function fit(img: ImageSize, box: ImageSize): Viewport {
  const scale = Math.min(1, box.width / img.width, box.height / img.height);
  return { scale, x: (box.width - img.width * scale) / 2, y: (box.height - img.height * scale) / 2 };
}
