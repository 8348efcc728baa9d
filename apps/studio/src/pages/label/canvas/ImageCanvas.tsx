import type Konva from 'konva';
import type { KonvaEventObject } from 'konva/lib/Node';
import { useEffect, useReducer, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Circle, Image as KImage, Layer, Line, Rect, Stage } from 'react-konva';
import { editorReducer, initEditor, shapesOf } from './editor';
import { DRAW_TOOLS, flat, type Pt, type Shape, type Tool } from './shapes';
import { fit, pan, type Viewport, wheelFactor, zoomAt } from './viewport';

const STAGE_W = 880;
const STAGE_H = 560;
/** Hit and close distances are this many screen pixels, whatever the zoom. */
const TOLERANCE_PX = 8;
const TOOL_KEYS: Record<string, Tool> = { v: 'select', r: 'rect', p: 'polygon', l: 'line', o: 'point', t: 'tag' };

const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777'];
const paletteColour = (labels: string[], label: string) => COLOURS[Math.max(0, labels.indexOf(label)) % COLOURS.length];

function useImage(src: string): HTMLImageElement | undefined {
  const [img, setImg] = useState<HTMLImageElement>();
  useEffect(() => {
    const i = new window.Image();
    i.onload = () => setImg(i);
    i.src = src;
    return () => {
      i.onload = null;
    };
  }, [src]);
  return img;
}

export interface ImageCanvasProps {
  src: string;
  labels: string[];
  initial: Shape[];
  onChange: (shapes: Shape[]) => void;
  /** The drawing tools the project's schema enables (all five when absent). */
  tools?: readonly Tool[];
  /** A colour per label name from the schema; the others take the palette's. */
  colours?: Record<string, string>;
}

/** Loads the image, then the editor: its state is reset only when the image changes. */
export function ImageCanvas(p: ImageCanvasProps) {
  const img = useImage(p.src);
  if (!img) return null;
  return <Editor key={p.src} img={img} {...p} />;
}

function Editor({ img, labels, initial, onChange, tools, colours }: ImageCanvasProps & { img: HTMLImageElement }) {
  const enabled: Tool[] = ['select', ...DRAW_TOOLS.filter((x) => !tools || tools.includes(x))];
  const colour = (names: string[], label: string) => colours?.[label] ?? paletteColour(names, label);
  const { t } = useTranslation('label');
  const size = { width: img.naturalWidth, height: img.naturalHeight };
  const [state, dispatch] = useReducer(editorReducer, undefined, () => initEditor(size, initial));
  const [view, setView] = useState<Viewport>(() => fit(size, { width: STAGE_W, height: STAGE_H }));
  const [tool, setTool] = useState<Tool>(() => enabled[1] ?? 'select');
  const [label, setLabel] = useState(labels[0] ?? '');
  const stageRef = useRef<Konva.Stage>(null);
  const shapes = shapesOf(state);

  // report every committed change (not drafts) to the page that saves it
  const reported = useRef(shapes);
  useEffect(() => {
    if (reported.current !== shapes) {
      reported.current = shapes;
      onChange(shapes);
    }
  }, [shapes, onChange]);

  /** The pointer in image pixels (the stage's transform is the viewport). */
  const pointer = (): Pt | undefined => stageRef.current?.getRelativePointerPosition() ?? undefined;

  const onKey = (e: React.KeyboardEvent) => {
    if ((e.target as HTMLElement).tagName === 'INPUT' || (e.target as HTMLElement).tagName === 'SELECT') return;
    const k = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && k === 'z') dispatch({ type: e.shiftKey ? 'redo' : 'undo' });
    else if ((e.ctrlKey || e.metaKey) && k === 'y') dispatch({ type: 'redo' });
    else if (e.key === 'Delete' || e.key === 'Backspace') dispatch({ type: 'delete' });
    else if (e.key === 'Enter') dispatch({ type: 'finish' });
    else if (e.key === 'Escape') dispatch({ type: 'cancel' });
    else if (e.key === '+' || e.key === '=') setView((v) => zoomAt(v, { x: STAGE_W / 2, y: STAGE_H / 2 }, 1.25));
    else if (e.key === '-') setView((v) => zoomAt(v, { x: STAGE_W / 2, y: STAGE_H / 2 }, 0.8));
    else if (e.key.startsWith('Arrow')) {
      const d = 40;
      setView((v) =>
        pan(v, e.key === 'ArrowLeft' ? d : e.key === 'ArrowRight' ? -d : 0, e.key === 'ArrowUp' ? d : e.key === 'ArrowDown' ? -d : 0),
      );
    } else if (!e.ctrlKey && !e.metaKey && TOOL_KEYS[k] && enabled.includes(TOOL_KEYS[k])) setTool(TOOL_KEYS[k]);
    else return;
    e.preventDefault();
  };

  const onWheel = (e: KonvaEventObject<WheelEvent>) => {
    e.evt.preventDefault();
    const at = stageRef.current?.getPointerPosition();
    if (at) setView((v) => zoomAt(v, at, wheelFactor(e.evt.deltaY)));
  };
  const onDown = (e: KonvaEventObject<MouseEvent>) => {
    if (e.evt.button !== 0 || tool === 'select' || tool === 'tag') return;
    const q = pointer();
    if (q) dispatch({ type: 'down', tool, p: q, label, tolerance: TOLERANCE_PX / view.scale });
  };
  const onMove = () => {
    const q = pointer();
    if (q && state.draft) dispatch({ type: 'move', p: q });
  };
  const onUp = () => {
    const q = pointer();
    if (q) dispatch({ type: 'up', p: q });
  };
  const onStageDragEnd = (e: KonvaEventObject<DragEvent>) => {
    if (e.target !== stageRef.current) return;
    setView((v) => ({ ...v, x: e.target.x(), y: e.target.y() }));
  };

  /** A shape dragged in select mode: its move goes through the editor (clamped, undoable). */
  const dragProps = (s: Shape, ox: number, oy: number) => ({
    draggable: tool === 'select',
    onClick: () => tool === 'select' && dispatch({ type: 'select', id: s.id }),
    onDragStart: () => dispatch({ type: 'select', id: s.id }),
    onDragEnd: (e: KonvaEventObject<DragEvent>) => {
      e.cancelBubble = true;
      const dx = e.target.x() - ox;
      const dy = e.target.y() - oy;
      e.target.position({ x: ox, y: oy });
      dispatch({ type: 'translate', id: s.id, dx, dy });
    },
  });

  const stroke = 2 / view.scale;
  const draw = (s: Shape) => {
    const c = colour(labels, s.label);
    const sel = s.id === state.selected;
    const common = { stroke: c, strokeWidth: sel ? stroke * 2 : stroke, name: s.id };
    switch (s.kind) {
      case 'rect':
        return (
          <Rect key={s.id} x={s.x} y={s.y} width={s.width} height={s.height} fill={`${c}22`} {...common} {...dragProps(s, s.x, s.y)} />
        );
      case 'polygon':
        return <Line key={s.id} x={0} y={0} points={flat(s.points)} closed fill={`${c}22`} {...common} {...dragProps(s, 0, 0)} />;
      case 'line':
        return (
          <Line
            key={s.id}
            x={0}
            y={0}
            points={flat(s.points)}
            hitStrokeWidth={TOLERANCE_PX / view.scale}
            {...common}
            {...dragProps(s, 0, 0)}
          />
        );
      case 'point':
        return <Circle key={s.id} x={s.x} y={s.y} radius={(sel ? 6 : 4) / view.scale} fill={c} {...dragProps(s, s.x, s.y)} />;
      default:
        return null;
    }
  };
  const d = state.draft;
  const draftNode =
    d?.kind === 'rect' ? (
      <Rect
        x={Math.min(d.start.x, d.end.x)}
        y={Math.min(d.start.y, d.end.y)}
        width={Math.abs(d.end.x - d.start.x)}
        height={Math.abs(d.end.y - d.start.y)}
        stroke="#f59e0b"
        strokeWidth={stroke}
        dash={[4 / view.scale, 4 / view.scale]}
        listening={false}
      />
    ) : d ? (
      <Line
        points={flat(d.hover ? [...d.points, d.hover] : d.points)}
        closed={d.kind === 'polygon'}
        stroke="#f59e0b"
        strokeWidth={stroke}
        dash={[4 / view.scale, 4 / view.scale]}
        listening={false}
      />
    ) : null;

  const selected = shapes.find((s) => s.id === state.selected);
  return (
    <div
      className="label-canvas"
      role="application"
      aria-label={t('canvas.area')}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the canvas takes the editor's shortcuts (listed in its help line), so Tab must reach it
      tabIndex={0}
      onKeyDown={onKey}
      data-testid="image-canvas"
      data-shapes={JSON.stringify(shapes)}
      data-view={JSON.stringify(view)}
    >
      <div className="label-toolbar" role="toolbar" aria-label={t('canvas.tools')}>
        {enabled.map((x) => (
          <button key={x} type="button" aria-pressed={tool === x} onClick={() => setTool(x)} data-testid={`tool-${x}`}>
            {t(`canvas.tool.${x}`)}
          </button>
        ))}
        <label>
          <span>{t('canvas.label')}</span>
          <select value={label} onChange={(e) => setLabel(e.target.value)} data-testid="canvas-label">
            {labels.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        {tool === 'tag' && (
          <button type="button" onClick={() => dispatch({ type: 'addTag', label })} data-testid="add-tag">
            {t('canvas.addTag')}
          </button>
        )}
        <button type="button" onClick={() => dispatch({ type: 'undo' })} disabled={!state.history.past.length} data-testid="undo">
          {t('canvas.undo')}
        </button>
        <button type="button" onClick={() => dispatch({ type: 'redo' })} disabled={!state.history.future.length} data-testid="redo">
          {t('canvas.redo')}
        </button>
        <button type="button" onClick={() => dispatch({ type: 'delete' })} disabled={!state.selected} data-testid="delete-shape">
          {t('canvas.delete')}
        </button>
        <button type="button" onClick={() => setView(fit(size, { width: STAGE_W, height: STAGE_H }))} data-testid="zoom-fit">
          {t('canvas.fit')}
        </button>
        <span className="muted" data-testid="zoom">
          {t('canvas.zoom', { pct: Math.round(view.scale * 100) })}
        </span>
      </div>
      <p className="muted help">{t('canvas.help')}</p>
      <div className="label-canvas-row">
        <Stage
          ref={stageRef}
          width={STAGE_W}
          height={STAGE_H}
          scaleX={view.scale}
          scaleY={view.scale}
          x={view.x}
          y={view.y}
          draggable={tool === 'select'}
          onWheel={onWheel}
          onMouseDown={onDown}
          onMouseMove={onMove}
          onMouseUp={onUp}
          onDragEnd={onStageDragEnd}
          className="label-stage"
        >
          <Layer>
            <KImage image={img} x={0} y={0} width={size.width} height={size.height} />
            {shapes.map(draw)}
            {draftNode}
          </Layer>
        </Stage>
        <ShapeList
          shapes={shapes}
          labels={labels}
          selected={state.selected}
          onSelect={(id) => dispatch({ type: 'select', id })}
          onRelabel={(id, l) => dispatch({ type: 'relabel', id, label: l })}
        />
      </div>
      {selected && <span className="sr-only">{t('canvas.selected', { id: selected.id })}</span>}
    </div>
  );
}

function describe(s: Shape): string {
  switch (s.kind) {
    case 'rect':
      return `${s.x}, ${s.y}  ${s.width}×${s.height}`;
    case 'point':
      return `${s.x}, ${s.y}`;
    case 'polygon':
    case 'line':
      return s.points.map((p) => `(${p.x}, ${p.y})`).join(' ');
    default:
      return '';
  }
}

/** Every shape with its label (editable) and its image-pixel coordinates. */
function ShapeList(p: {
  shapes: Shape[];
  labels: string[];
  selected: string | null;
  onSelect: (id: string) => void;
  onRelabel: (id: string, label: string) => void;
}) {
  const { t } = useTranslation('label');
  if (!p.shapes.length) return <p className="muted shape-list">{t('canvas.noShapes')}</p>;
  return (
    <ol className="shape-list" data-testid="shape-list">
      {p.shapes.map((s) => (
        <li key={s.id} aria-current={s.id === p.selected} data-kind={s.kind}>
          <button type="button" onClick={() => p.onSelect(s.id)}>
            {t(`canvas.kind.${s.kind}`)}
          </button>
          <select value={s.label} onChange={(e) => p.onRelabel(s.id, e.target.value)} aria-label={t('canvas.label')}>
            {(p.labels.includes(s.label) ? p.labels : [s.label, ...p.labels]).map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
          <code>{describe(s)}</code>
        </li>
      ))}
    </ol>
  );
}
