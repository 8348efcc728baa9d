// The canvas's shapes ↔ the API's ImageShape (packages/label/API.md): the same geometry in
// image pixels, named differently (rect/rectangle, {x, y}/[x, y]).
import type { ImageShape } from '../types.js';
import type { Shape } from './shapes.js';

export function toApiShape(s: Shape): ImageShape {
  switch (s.kind) {
    case 'rect':
      return { id: s.id, type: 'rectangle', label: s.label, x: s.x, y: s.y, width: s.width, height: s.height };
    case 'polygon':
    case 'line':
      return { id: s.id, type: s.kind, label: s.label, points: s.points.map((p) => [p.x, p.y]) };
    case 'point':
      return { id: s.id, type: 'point', label: s.label, x: s.x, y: s.y };
    case 'tag':
      return { id: s.id, type: 'tag', label: s.label };
  }
}

export function fromApiShape(s: ImageShape): Shape {
  switch (s.type) {
    case 'rectangle':
      return { id: s.id, kind: 'rect', label: s.label, x: s.x, y: s.y, width: s.width, height: s.height };
    case 'polygon':
    case 'line':
      return { id: s.id, kind: s.type, label: s.label, points: s.points.map(([x, y]) => ({ x, y })) };
    case 'point':
      return { id: s.id, kind: 'point', label: s.label, x: s.x, y: s.y };
    case 'tag':
      return { id: s.id, kind: 'tag', label: s.label };
  }
}

/** Canvas tool names as the schema's `tools` spell them. */
export const TOOL_OF_API = { rectangle: 'rect', polygon: 'polygon', line: 'line', point: 'point', tag: 'tag' } as const;
