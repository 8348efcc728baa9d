import { describe, expect, it } from 'vitest';
import { fromApiShape, toApiShape } from '../../../src/pages/label/canvas/apiShapes.js';
import { type EditorAction, type EditorState, editorReducer, initEditor, shapesOf } from '../../../src/pages/label/canvas/editor.js';
import { commit, HISTORY_LIMIT, redo, start, undo } from '../../../src/pages/label/canvas/history.js';
import { isUsable, polygonArea, rectFromCorners, translate } from '../../../src/pages/label/canvas/shapes.js';
import { fit, toImage, toScreen, zoomAt } from '../../../src/pages/label/canvas/viewport.js';

// The label canvas's pure parts (they run in the browser; tested here under Node).
const IMG = { width: 200, height: 100 };
const run = (actions: EditorAction[], s: EditorState = initEditor(IMG)) => actions.reduce(editorReducer, s);
const down = (tool: 'rect' | 'polygon' | 'line' | 'point', x: number, y: number, label = 'cat'): EditorAction => ({
  type: 'down',
  tool,
  p: { x, y },
  label,
  tolerance: 4,
});

describe('label canvas: viewport', () => {
  it('zooming about a screen point keeps the image pixel under it', () => {
    let v = fit(IMG, { width: 400, height: 400 });
    expect(v.scale).toBe(1);
    const cursor = { x: 137, y: 211 };
    const before = toImage(v, cursor);
    for (let k = 0; k < 7; k++) v = zoomAt(v, cursor, 1.1);
    const after = toImage(v, cursor);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
    expect(toScreen(v, after).x).toBeCloseTo(cursor.x, 9);
  });

  it('the scale stays within bounds', () => {
    let v = { scale: 1, x: 0, y: 0 };
    for (let k = 0; k < 200; k++) v = zoomAt(v, { x: 0, y: 0 }, 2);
    expect(v.scale).toBe(40);
    for (let k = 0; k < 400; k++) v = zoomAt(v, { x: 0, y: 0 }, 0.5);
    expect(v.scale).toBe(0.05);
  });

  it('fit shrinks a large image to the box and centres it', () => {
    expect(fit({ width: 1000, height: 500 }, { width: 500, height: 500 })).toEqual({ scale: 0.5, x: 0, y: 125 });
  });
});

describe('label canvas: shapes', () => {
  it('a rectangle from corners dragged in any direction, clamped to the image', () => {
    expect(rectFromCorners({ x: 50, y: 60 }, { x: 10, y: -5 }, IMG)).toEqual({ x: 10, y: 0, width: 40, height: 60 });
    expect(rectFromCorners({ x: 190, y: 90 }, { x: 500, y: 500 }, IMG)).toEqual({ x: 190, y: 90, width: 10, height: 10 });
  });

  it('degenerate shapes are refused', () => {
    expect(isUsable({ id: 'a', label: '', kind: 'rect', x: 0, y: 0, width: 1, height: 40 })).toBe(false);
    const line = [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
      { x: 2, y: 2 },
    ];
    expect(polygonArea(line)).toBe(0);
    expect(isUsable({ id: 'a', label: '', kind: 'polygon', points: line })).toBe(false);
  });

  it('moving a shape keeps it inside the image', () => {
    const r = translate({ id: 'a', label: '', kind: 'rect', x: 10, y: 10, width: 20, height: 20 }, -50, 500, IMG);
    expect(r).toMatchObject({ x: 0, y: 80 });
  });
});

describe('label canvas: editor', () => {
  it('draws each tool, in image pixels', () => {
    const s = run([
      down('rect', 10, 10),
      { type: 'move', p: { x: 30, y: 20 } },
      { type: 'up', p: { x: 40.123, y: 50 } },
      down('polygon', 100, 10, 'roof'),
      down('polygon', 150, 10),
      down('polygon', 125, 60),
      down('polygon', 101, 11), // within tolerance of the first point: closes it
      down('line', 0, 90, 'road'),
      down('line', 100, 95),
      down('line', 199, 80),
      { type: 'finish' },
      down('point', 70, 70, 'eye'),
      { type: 'addTag', label: 'outdoor' },
    ]);
    expect(shapesOf(s)).toEqual([
      { id: 's1', label: 'cat', kind: 'rect', x: 10, y: 10, width: 30.12, height: 40 },
      {
        id: 's2',
        label: 'roof',
        kind: 'polygon',
        points: [
          { x: 100, y: 10 },
          { x: 150, y: 10 },
          { x: 125, y: 60 },
        ],
      },
      {
        id: 's3',
        label: 'road',
        kind: 'line',
        points: [
          { x: 0, y: 90 },
          { x: 100, y: 95 },
          { x: 199, y: 80 },
        ],
      },
      { id: 's4', label: 'eye', kind: 'point', x: 70, y: 70 },
      { id: 's5', label: 'outdoor', kind: 'tag' },
    ]);
    expect(s.draft).toBeNull();
  });

  it('a click-drag too small for a rectangle adds nothing; Escape drops a half-drawn polygon', () => {
    const s = run([
      down('rect', 10, 10),
      { type: 'up', p: { x: 11, y: 11 } },
      down('polygon', 1, 1),
      down('polygon', 50, 1),
      { type: 'cancel' },
    ]);
    expect(shapesOf(s)).toEqual([]);
    expect(s.draft).toBeNull();
  });

  it('a double click (a second click on the last point) ends a line or polygon, and adds no point twice', () => {
    const s = run([
      down('line', 10, 10),
      down('line', 11, 11), // too early to end a line: ignored
      down('line', 60, 10),
      down('line', 61, 11), // the double click's second click
      down('polygon', 100, 10),
      down('polygon', 150, 10),
      down('polygon', 125, 60),
      down('polygon', 125, 61),
    ]);
    expect(shapesOf(s).map((x) => (x.kind === 'line' || x.kind === 'polygon' ? x.points.length : 0))).toEqual([2, 3]);
    expect(s.draft).toBeNull();
  });

  it('select, relabel, move and delete, each undoable and redoable', () => {
    let s = run([down('point', 5, 5), down('point', 50, 50)]);
    s = run(
      [
        { type: 'select', id: 's1' },
        { type: 'relabel', id: 's1', label: 'dog' },
        { type: 'translate', id: 's2', dx: 10, dy: -5 },
      ],
      s,
    );
    s = run([{ type: 'select', id: 's1' }, { type: 'delete' }], s);
    expect(shapesOf(s)).toEqual([{ id: 's2', label: 'cat', kind: 'point', x: 60, y: 45 }]);
    const afterUndo = run([{ type: 'undo' }, { type: 'undo' }, { type: 'undo' }], s);
    expect(shapesOf(afterUndo).map((x) => x.label)).toEqual(['cat', 'cat']);
    expect(shapesOf(afterUndo)[1]).toMatchObject({ x: 50, y: 50 });
    const back = run([{ type: 'redo' }, { type: 'redo' }, { type: 'redo' }], afterUndo);
    expect(shapesOf(back)).toEqual(shapesOf(s));
    // a new edit after undo drops the redo branch
    const branched = run([{ type: 'undo' }, down('point', 1, 1)], s);
    expect(run([{ type: 'redo' }], branched).history.present).toBe(branched.history.present);
  });

  it('loading saved shapes continues their ids and starts a fresh history', () => {
    const s = initEditor(IMG, [{ id: 's7', label: 'x', kind: 'tag' }]);
    const t = run([{ type: 'addTag', label: 'y' }], s);
    expect(shapesOf(t).map((x) => x.id)).toEqual(['s7', 's8']);
    expect(run([{ type: 'undo' }, { type: 'undo' }], t).history.present).toEqual([{ id: 's7', label: 'x', kind: 'tag' }]);
  });
});

describe('label canvas: history', () => {
  it('keeps at most HISTORY_LIMIT steps', () => {
    let h = start(0);
    for (let k = 1; k <= HISTORY_LIMIT + 50; k++) h = commit(h, k);
    expect(h.past.length).toBe(HISTORY_LIMIT);
    for (let k = 0; k < HISTORY_LIMIT + 10; k++) h = undo(h);
    expect(h.present).toBe(50);
    expect(redo(h).present).toBe(51);
  });
});

describe('label canvas: API shapes', () => {
  it('round-trips every kind through the API shape', () => {
    const s = run([
      down('rect', 10, 10),
      { type: 'up', p: { x: 40, y: 50 } },
      down('polygon', 100, 10),
      down('polygon', 150, 10),
      down('polygon', 125, 60),
      { type: 'finish' },
      down('line', 0, 90),
      down('line', 100, 95),
      { type: 'finish' },
      down('point', 70, 70),
      { type: 'addTag', label: 'outdoor' },
    ]);
    const api = shapesOf(s).map(toApiShape);
    expect(api.map((x) => x.type)).toEqual(['rectangle', 'polygon', 'line', 'point', 'tag']);
    expect(api[1]).toEqual({
      id: 's2',
      type: 'polygon',
      label: 'cat',
      points: [
        [100, 10],
        [150, 10],
        [125, 60],
      ],
    });
    expect(api.map(fromApiShape)).toEqual(shapesOf(s));
  });
});
