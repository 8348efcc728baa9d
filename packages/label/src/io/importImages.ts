import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { imageSize } from 'image-size';
import type { Kysely } from 'kysely';
import yauzl from 'yauzl';
import type { LabelDatabase } from '../db/schema.js';
import { LabelError } from '../errors.js';
import type { ImageData, ImageShape } from '../shapes.js';
import type { FileStore } from '../store/fileStore.js';
import { insertItems, type Project } from '../store/projects.js';
import { nowIso } from '../store/time.js';
import { cocoToShapes, yoloToShapes } from './imageExports.js';
import type { ImportReport } from './importService.js';

export interface ImportEntry {
  /** Path relative to the folder or archive root, '/'-separated. */
  name: string;
  bytes: Uint8Array;
}

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
const IMAGE_EXT = /\.(png|jpe?g|gif|webp)$/i;

/**
 * A relative path that stays inside its folder, or null: no absolute path, drive letter,
 * backslash, NUL or `..` segment. Entries are never written under their own names (stored
 * files are content-addressed), so this is a report, not the only guard.
 */
export function safeRelativePath(name: string): string | null {
  if (name === '' || name.includes('\0') || name.includes('\\') || name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return null;
  const normal = posix.normalize(name);
  if (normal === '..' || normal.startsWith('../') || normal.split('/').includes('..')) return null;
  return normal.replace(/^\.\//, '');
}

/** Reads a zip archive into memory with yauzl (entry sizes validated, total capped against zip bombs). */
export function readZip(bytes: Uint8Array, maxTotal: number): Promise<{ entries: ImportEntry[]; unsafe: string[] }> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(
      Buffer.from(bytes), // decodeStrings: false so a hostile name is skipped and reported here, instead of yauzl failing the whole archive on it
      { lazyEntries: true, validateEntrySizes: true, decodeStrings: false },
      (err, zip) => {
        if (err || !zip)
          return reject(
            new LabelError('LABEL_BAD_IMPORT', `the archive is not a readable zip: ${err?.message ?? 'empty'}`, { cause: err }),
          );
        const entries: ImportEntry[] = [];
        const unsafe: string[] = [];
        let total = 0;
        zip.on('entry', (entry: yauzl.Entry) => {
          const raw = Buffer.from(entry.fileName as unknown as Uint8Array).toString('utf8');
          const name = yauzl.validateFileName(raw) === null ? safeRelativePath(raw) : null;
          if (name === null) {
            unsafe.push(raw);
            return zip.readEntry();
          }
          if (raw.endsWith('/')) return zip.readEntry();
          total += entry.uncompressedSize;
          if (total > maxTotal) {
            zip.close();
            return reject(new LabelError('LABEL_TOO_LARGE', `the archive unpacks to more than ${maxTotal} bytes`));
          }
          zip.openReadStream(entry, (e, stream) => {
            if (e || !stream) return reject(new LabelError('LABEL_BAD_IMPORT', `cannot read ${raw} from the archive`, { cause: e }));
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('error', (se) => reject(new LabelError('LABEL_BAD_IMPORT', `cannot read ${raw}: ${se.message}`, { cause: se })));
            stream.on('end', () => {
              entries.push({ name, bytes: new Uint8Array(Buffer.concat(chunks)) });
              zip.readEntry();
            });
          });
        });
        zip.on('end', () => resolve({ entries, unsafe }));
        zip.on('error', (e: Error) => reject(new LabelError('LABEL_BAD_IMPORT', `the archive is damaged: ${e.message}`, { cause: e })));
        zip.readEntry();
      },
    );
  });
}

/** Reads a folder (recursively, symbolic links skipped so nothing outside it is read). */
export async function readFolder(dir: string, prefix = ''): Promise<ImportEntry[]> {
  const out: ImportEntry[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const st = await lstat(path);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) out.push(...(await readFolder(path, `${prefix}${name}/`)));
    else if (st.isFile()) out.push({ name: `${prefix}${name}`, bytes: new Uint8Array(await readFile(path)) });
  }
  return out;
}

/** COCO (`*.json` with images + annotations) or YOLO (`classes.txt` + `labels/<stem>.txt`) pre-annotations found among the entries. */
function preAnnotations(entries: ImportEntry[]): (name: string, width: number, height: number) => ImageShape[] | undefined {
  const text = (e: ImportEntry) => new TextDecoder().decode(e.bytes);
  let coco: Map<string, ImageShape[]> | undefined;
  for (const e of entries.filter((x) => x.name.endsWith('.json'))) {
    try {
      const parsed = JSON.parse(text(e)) as { images?: unknown; annotations?: unknown };
      if (Array.isArray(parsed.images) && Array.isArray(parsed.annotations)) coco = cocoToShapes(parsed);
    } catch {
      // not JSON we understand: not a pre-annotation file
    }
  }
  const classesEntry = entries.find((e) => e.name === 'classes.txt' || e.name.endsWith('/classes.txt'));
  const classes = classesEntry
    ? text(classesEntry)
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : undefined;
  const yolo = new Map(
    entries
      .filter((e) => /(^|\/)labels\/[^/]+\.txt$/.test(e.name))
      .map((e) => [e.name.replace(/^.*\//, '').replace(/\.txt$/, ''), text(e)]),
  );
  return (name, width, height) => {
    const base = name.replace(/^.*\//, '');
    const fromCoco = coco?.get(name) ?? coco?.get(base);
    if (fromCoco) return fromCoco;
    const y = classes ? yolo.get(base.replace(/\.[^.]*$/, '')) : undefined;
    return y !== undefined && classes ? yoloToShapes(y, classes, width, height) : undefined;
  };
}

/** Stores the image entries (content-addressed) as items, with pre-annotations from COCO/YOLO files among them. */
export async function importImageEntries(
  db: Kysely<LabelDatabase>,
  files: FileStore,
  project: Project,
  entries: ImportEntry[],
  unsafe: string[] = [],
): Promise<ImportReport> {
  if (project.kind !== 'image')
    throw new LabelError('LABEL_BAD_IMPORT', `project ${project.id} is a dialogue project: import JSONL instead`);
  const skipped: ImportReport['skipped'] = unsafe.map((name) => ({
    line: 0,
    code: 'LABEL_UNSAFE_PATH',
    reason: `${JSON.stringify(name)} leaves the archive's folder; skipped`,
  }));
  const pre = preAnnotations(entries);
  const items: { key: string; data: ImageData }[] = [];
  for (const e of entries) {
    if (!IMAGE_EXT.test(e.name)) continue;
    const name = safeRelativePath(e.name);
    if (name === null) {
      skipped.push({
        line: 0,
        code: 'LABEL_UNSAFE_PATH',
        reason: `${JSON.stringify(e.name)} is not a relative path inside the folder; skipped`,
      });
      continue;
    }
    let size: { width?: number; height?: number; type?: string };
    try {
      size = imageSize(e.bytes);
    } catch {
      size = {};
    }
    const mime = size.type ? MIME[size.type] : undefined;
    if (!mime || !size.width || !size.height) {
      skipped.push({ line: 0, code: 'LABEL_BAD_IMAGE', reason: `${name} is not a PNG, JPEG, GIF or WebP image` });
      continue;
    }
    const sha256 = await files.put(e.bytes);
    const now = nowIso();
    await db
      .insertInto('files')
      .values({ sha256, name, mime, size: e.bytes.byteLength, width: size.width, height: size.height, created_at: now })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    const shapes = pre(name, size.width, size.height);
    items.push({
      key: name,
      data: {
        kind: 'image',
        file: { sha256, name, mime, width: size.width, height: size.height },
        ...(shapes ? { preAnnotations: shapes } : {}),
      },
    });
  }
  const imported = await db.transaction().execute((trx) => insertItems(trx, project.id, items));
  return { imported, skipped };
}
