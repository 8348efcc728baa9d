import yazl from 'yazl';
import type { ImageData, ImageResult, ImageShape } from '../shapes.js';
import type { Project } from '../store/projects.js';
import type { ItemRecord } from './exportRecords.js';

/** The image annotation that counts: the first submitted one that is approved or unreviewed (the reviewer's correction wins). */
export function acceptedImageResult(rec: ItemRecord): ImageResult | null {
  for (const a of rec.annotations) {
    if (a.task.status !== 'submitted' || a.task.result?.kind !== 'image') continue;
    const last = a.reviews.at(-1);
    if (last && last.verdict !== 'approved') continue;
    return last?.result?.kind === 'image' ? last.result : a.task.result;
  }
  return null;
}

function categories(project: Project, records: ItemRecord[]): string[] {
  const names = (project.schema.labels ?? []).map((l) => l.name);
  for (const r of records) for (const s of acceptedImageResult(r)?.shapes ?? []) if (!names.includes(s.label)) names.push(s.label);
  return names;
}

function bounds(points: [number, number][]): [number, number, number, number] {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return [x, y, Math.max(...xs) - x, Math.max(...ys) - y];
}

function shoelace(points: [number, number][]): number {
  let s = 0;
  points.forEach(([x1, y1], i) => {
    const [x2, y2] = points[(i + 1) % points.length] as [number, number];
    s += x1 * y2 - x2 * y1;
  });
  return Math.abs(s) / 2;
}

/**
 * COCO instances. Rectangles are `bbox`, polygons `segmentation` (+ bbox, area), points a
 * one-keypoint annotation; lines and whole-image tags have no COCO shape, so they ride in
 * `puyu_type` / `puyu_points` / `images[].puyu_tags`, which other COCO readers ignore and
 * our importer reads back (export → import gives the same shapes).
 */
export function cocoExport(project: Project, records: ItemRecord[]): Record<string, unknown> {
  const cats = categories(project, records);
  const images: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  records.forEach((rec, i) => {
    const data = rec.item.data as ImageData;
    if (data.kind !== 'image') return;
    const imageId = i + 1;
    const shapes = acceptedImageResult(rec)?.shapes ?? [];
    const tags = shapes.filter((s) => s.type === 'tag').map((s) => ({ id: s.id, label: s.label }));
    images.push({
      id: imageId,
      file_name: data.file.name,
      width: data.file.width,
      height: data.file.height,
      ...(tags.length ? { puyu_tags: tags } : {}),
    });
    for (const s of shapes) {
      if (s.type === 'tag') continue;
      const base = {
        id: annotations.length + 1,
        image_id: imageId,
        category_id: cats.indexOf(s.label) + 1,
        iscrowd: 0,
        puyu_id: s.id,
        puyu_type: s.type,
      };
      if (s.type === 'rectangle')
        annotations.push({ ...base, bbox: [s.x, s.y, s.width, s.height], area: s.width * s.height, segmentation: [] });
      else if (s.type === 'polygon')
        annotations.push({ ...base, bbox: bounds(s.points), area: shoelace(s.points), segmentation: [s.points.flat()] });
      else if (s.type === 'line') annotations.push({ ...base, bbox: bounds(s.points), area: 0, segmentation: [], puyu_points: s.points });
      else annotations.push({ ...base, bbox: [s.x, s.y, 0, 0], area: 0, segmentation: [], keypoints: [s.x, s.y, 2], num_keypoints: 1 });
    }
  });
  return {
    info: { description: `puyu label export of ${project.name}` },
    images,
    annotations,
    categories: cats.map((name, i) => ({ id: i + 1, name, supercategory: '' })),
  };
}

/** Reads COCO instances back to shapes per image file name (ours, or any COCO file: bbox → rectangle, polygon segmentation → polygon). */
export function cocoToShapes(coco: unknown): Map<string, ImageShape[]> {
  const out = new Map<string, ImageShape[]>();
  const c = coco as { images?: unknown[]; annotations?: unknown[]; categories?: unknown[] };
  if (!Array.isArray(c.images) || !Array.isArray(c.annotations)) return out;
  const catName = new Map<number, string>();
  for (const k of (c.categories ?? []) as { id?: number; name?: string }[])
    if (typeof k.id === 'number') catName.set(k.id, String(k.name ?? k.id));
  const fileOf = new Map<number, string>();
  for (const im of c.images as { id?: number; file_name?: string; puyu_tags?: unknown }[]) {
    if (typeof im.id !== 'number' || typeof im.file_name !== 'string') continue;
    fileOf.set(im.id, im.file_name);
    out.set(im.file_name, []);
  }
  let n = 0;
  for (const a of c.annotations as Record<string, unknown>[]) {
    const file = fileOf.get(a.image_id as number);
    if (file === undefined) continue;
    const label = catName.get(a.category_id as number) ?? String(a.category_id);
    const id = typeof a.puyu_id === 'string' ? a.puyu_id : `coco${++n}`;
    const bbox = Array.isArray(a.bbox) ? (a.bbox as number[]) : [];
    const seg = Array.isArray(a.segmentation) && Array.isArray(a.segmentation[0]) ? (a.segmentation[0] as number[]) : [];
    let shape: ImageShape | null = null;
    if (a.puyu_type === 'line' && Array.isArray(a.puyu_points))
      shape = { id, type: 'line', label, points: a.puyu_points as [number, number][] };
    else if (a.puyu_type === 'point' || (Array.isArray(a.keypoints) && a.num_keypoints === 1))
      shape = { id, type: 'point', label, x: (a.keypoints as number[])[0] as number, y: (a.keypoints as number[])[1] as number };
    else if (seg.length >= 6) shape = { id, type: 'polygon', label, points: pairs(seg) };
    else if (bbox.length === 4)
      shape = {
        id,
        type: 'rectangle',
        label,
        x: bbox[0] as number,
        y: bbox[1] as number,
        width: bbox[2] as number,
        height: bbox[3] as number,
      };
    if (shape) out.get(file)?.push(shape);
  }
  for (const im of c.images as { id?: number; file_name?: string; puyu_tags?: unknown }[]) {
    if (typeof im.file_name !== 'string' || !Array.isArray(im.puyu_tags)) continue;
    const shapes = out.get(im.file_name);
    for (const [i, t] of (im.puyu_tags as { id?: unknown; label?: unknown }[]).entries())
      shapes?.push({ id: typeof t.id === 'string' ? t.id : `tag${i + 1}`, type: 'tag', label: String(t.label ?? '') });
  }
  return out;
}

function pairs(flat: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as number, flat[i + 1] as number]);
  return out;
}

const stem = (name: string) => name.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
const num = (v: number) => Number(v.toFixed(6)).toString();

/** YOLO: classes.txt + labels/<stem>.txt, `class cx cy w h` (rectangles) or `class x1 y1 …` (polygons, YOLO-seg), normalised to [0, 1]. */
export async function yoloZip(project: Project, records: ItemRecord[]): Promise<Uint8Array> {
  const cats = categories(project, records);
  const files: [string, string][] = [['classes.txt', cats.map((c) => `${c}\n`).join('')]];
  for (const rec of records) {
    const data = rec.item.data as ImageData;
    if (data.kind !== 'image') continue;
    const { width: W, height: H } = data.file;
    const lines: string[] = [];
    for (const s of acceptedImageResult(rec)?.shapes ?? []) {
      const c = cats.indexOf(s.label);
      if (s.type === 'rectangle')
        lines.push([c, num((s.x + s.width / 2) / W), num((s.y + s.height / 2) / H), num(s.width / W), num(s.height / H)].join(' '));
      else if (s.type === 'polygon') lines.push([c, ...s.points.flatMap(([x, y]) => [num(x / W), num(y / H)])].join(' '));
    }
    files.push([`labels/${stem(data.file.name)}.txt`, lines.map((l) => `${l}\n`).join('')]);
  }
  return zip(files);
}

/** YOLO label text → shapes in pixels (5 numbers: a box; 7+ odd: a polygon). */
export function yoloToShapes(text: string, classes: string[], width: number, height: number): ImageShape[] {
  const shapes: ImageShape[] = [];
  text.split('\n').forEach((line, i) => {
    const v = line.trim().split(/\s+/).map(Number);
    if (line.trim() === '' || v.some((x) => !Number.isFinite(x))) return;
    const label = classes[v[0] as number] ?? String(v[0]);
    if (v.length === 5) {
      const [, cx, cy, w, h] = v as [number, number, number, number, number];
      shapes.push({
        id: `yolo${i + 1}`,
        type: 'rectangle',
        label,
        x: (cx - w / 2) * width,
        y: (cy - h / 2) * height,
        width: w * width,
        height: h * height,
      });
    } else if (v.length >= 7 && v.length % 2 === 1)
      shapes.push({ id: `yolo${i + 1}`, type: 'polygon', label, points: pairs(v.slice(1)).map(([x, y]) => [x * width, y * height]) });
  });
  return shapes;
}

const xml = (s: string) => s.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Pascal VOC: Annotations/<stem>.xml with one <object> per rectangle (VOC has boxes only). */
export async function vocZip(project: Project, records: ItemRecord[]): Promise<Uint8Array> {
  const files: [string, string][] = [];
  for (const rec of records) {
    const data = rec.item.data as ImageData;
    if (data.kind !== 'image') continue;
    const objects = (acceptedImageResult(rec)?.shapes ?? []).flatMap((s) =>
      s.type === 'rectangle'
        ? [
            `  <object>\n    <name>${xml(s.label)}</name>\n    <difficult>0</difficult>\n    <bndbox>\n      <xmin>${num(s.x)}</xmin>\n      <ymin>${num(s.y)}</ymin>\n      <xmax>${num(s.x + s.width)}</xmax>\n      <ymax>${num(s.y + s.height)}</ymax>\n    </bndbox>\n  </object>\n`,
          ]
        : [],
    );
    files.push([
      `Annotations/${stem(data.file.name)}.xml`,
      `<annotation>\n  <folder>${xml(project.name)}</folder>\n  <filename>${xml(data.file.name)}</filename>\n  <size>\n    <width>${data.file.width}</width>\n    <height>${data.file.height}</height>\n    <depth>3</depth>\n  </size>\n${objects.join('')}</annotation>\n`,
    ]);
  }
  return zip(files);
}

/** A zip with a fixed timestamp, so the same export gives the same bytes. */
function zip(files: [string, string][]): Promise<Uint8Array> {
  const z = new yazl.ZipFile();
  for (const [name, text] of files) z.addBuffer(Buffer.from(text, 'utf8'), name, { mtime: new Date('2000-01-01T00:00:00Z') });
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    z.outputStream.on('error', reject);
  });
}
