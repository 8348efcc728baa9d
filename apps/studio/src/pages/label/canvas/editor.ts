// The canvas editor as a reducer: pointer events already converted to image pixels go in,
// shapes come out. The Konva component only draws this state and forwards events.
import { commit, type History, redo, start, undo } from './history.js';
import { clampPoint, distance, type ImageSize, isUsable, type Pt, rectFromCorners, type Shape, type Tool, translate } from './shapes.js';

/** The shape being drawn, with the label it will get (the one chosen at its first click). */
export type Draft = { label: string } & ({ kind: 'rect'; start: Pt; end: Pt } | { kind: 'polygon' | 'line'; points: Pt[]; hover?: Pt });

export interface EditorState {
  image: ImageSize;
  history: History<Shape[]>;
  selected: string | null;
  draft: Draft | null;
  nextId: number;
}

export type EditorAction =
  /** `tolerance`: how near (image pixels) a click must be to a polygon's first point to close it. */
  | { type: 'down'; tool: Tool; p: Pt; label: string; tolerance: number }
  | { type: 'move'; p: Pt }
  | { type: 'up'; p: Pt }
  /** Enter or double click: finish the polygon or line being drawn. */
  | { type: 'finish' }
  | { type: 'cancel' }
  | { type: 'addTag'; label: string }
  | { type: 'select'; id: string | null }
  | { type: 'delete' }
  | { type: 'relabel'; id: string; label: string }
  | { type: 'translate'; id: string; dx: number; dy: number }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'load'; shapes: Shape[]; image: ImageSize };

export function initEditor(image: ImageSize, shapes: Shape[] = []): EditorState {
  return { image, history: start(shapes), selected: null, draft: null, nextId: nextIdAfter(shapes) };
}

function nextIdAfter(shapes: Shape[]): number {
  const n = shapes.map((s) => Number(/^s(\d+)$/.exec(s.id)?.[1] ?? 0));
  return Math.max(0, ...n) + 1;
}

export function shapesOf(s: EditorState): Shape[] {
  return s.history.present;
}

function add(s: EditorState, shape: Shape): EditorState {
  if (!isUsable(shape)) return { ...s, draft: null };
  return { ...s, history: commit(s.history, [...s.history.present, shape]), draft: null, selected: shape.id, nextId: s.nextId + 1 };
}

function finishDraft(s: EditorState): EditorState {
  const d = s.draft;
  if (!d) return s;
  const id = `s${s.nextId}`;
  const label = d.label;
  if (d.kind === 'rect') return add(s, { id, label, kind: 'rect', ...rectFromCorners(d.start, d.end, s.image) });
  return add(s, { id, label, kind: d.kind, points: d.points });
}

export function editorReducer(s: EditorState, a: EditorAction): EditorState {
  switch (a.type) {
    case 'down': {
      const p = clampPoint(a.p, s.image);
      switch (a.tool) {
        case 'rect':
          return { ...s, draft: { kind: 'rect', label: a.label, start: p, end: p }, selected: null };
        case 'point':
          return add(s, { id: `s${s.nextId}`, label: a.label, kind: 'point', x: p.x, y: p.y });
        case 'polygon':
        case 'line': {
          const d = s.draft?.kind === a.tool ? s.draft : { kind: a.tool, label: a.label, points: [] as Pt[] };
          const pts = d.points;
          // a click on the first point closes a polygon; a second click on the last point (a double
          // click) ends either; too early, it is ignored rather than adding the same point twice
          const onLast = pts.length > 0 && distance(p, pts[pts.length - 1]) <= a.tolerance;
          const enough = pts.length >= (a.tool === 'polygon' ? 3 : 2);
          if (enough && (onLast || (a.tool === 'polygon' && distance(p, pts[0]) <= a.tolerance))) return finishDraft(s);
          if (onLast) return s;
          return { ...s, draft: { kind: a.tool, label: d.label, points: [...pts, p] }, selected: null };
        }
        default:
          return s;
      }
    }
    case 'move': {
      const p = clampPoint(a.p, s.image);
      if (s.draft?.kind === 'rect') return { ...s, draft: { ...s.draft, end: p } };
      if (s.draft) return { ...s, draft: { ...s.draft, hover: p } };
      return s;
    }
    case 'up':
      if (s.draft?.kind === 'rect') return finishDraft({ ...s, draft: { ...s.draft, end: clampPoint(a.p, s.image) } });
      return s;
    case 'finish':
      return s.draft && s.draft.kind !== 'rect' ? finishDraft(s) : s;
    case 'cancel':
      return s.draft ? { ...s, draft: null } : { ...s, selected: null };
    case 'addTag':
      return add(s, { id: `s${s.nextId}`, label: a.label, kind: 'tag' });
    case 'select':
      return { ...s, selected: a.id };
    case 'delete': {
      if (!s.selected) return s;
      const next = s.history.present.filter((x) => x.id !== s.selected);
      return { ...s, history: commit(s.history, next), selected: null };
    }
    case 'relabel': {
      const next = s.history.present.map((x) => (x.id === a.id ? { ...x, label: a.label } : x));
      return { ...s, history: commit(s.history, next) };
    }
    case 'translate': {
      if (a.dx === 0 && a.dy === 0) return s;
      const next = s.history.present.map((x) => (x.id === a.id ? translate(x, a.dx, a.dy, s.image) : x));
      return { ...s, history: commit(s.history, next) };
    }
    case 'undo':
      return { ...s, draft: null, history: undo(s.history), selected: null };
    case 'redo':
      return { ...s, draft: null, history: redo(s.history), selected: null };
    case 'load':
      return initEditor(a.image, a.shapes);
  }
}
