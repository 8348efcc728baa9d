import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../fixtures/harness.js';
import { png, rawZip } from '../fixtures/images.js';
import type { ImageShape } from '../shapes.js';
import { readZip, safeRelativePath } from './importImages.js';

const SCHEMA = { questions: [], labels: [{ name: 'cat' }, { name: 'dog' }], tools: ['rectangle', 'polygon', 'line', 'point', 'tag'] };
const SHAPES: ImageShape[] = [
  { id: 's1', type: 'rectangle', label: 'cat', x: 3, y: 4, width: 10.5, height: 6 },
  {
    id: 's2',
    type: 'polygon',
    label: 'dog',
    points: [
      [1, 1],
      [20, 2],
      [12, 15],
    ],
  },
  {
    id: 's3',
    type: 'line',
    label: 'cat',
    points: [
      [0, 0],
      [30, 18],
    ],
  },
  { id: 's4', type: 'point', label: 'dog', x: 7, y: 9 },
  { id: 's5', type: 'tag', label: 'cat' },
];

function form(parts: [string, Uint8Array, string][]): FormData {
  const f = new FormData();
  for (const [field, bytes, name] of parts) f.append(field, new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
  return f;
}

describe('image import and exports', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('never writes an archive entry outside its folder (zip-slip) and reports it', async () => {
    expect(['../evil.png', '/etc/passwd', 'a/../../b.png', 'C:\\x.png', 'ok/../../x'].map(safeRelativePath)).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(safeRelativePath('dir/./a.png')).toBe('dir/a.png');
    h = await harness();
    const admin = await h.user('admin', 'admin');
    const { project } = await admin.json<{ project: { id: number } }>('POST', '/projects', { name: 'img', kind: 'image', schema: SCHEMA });
    const zip = rawZip([
      { name: '../../evil.png', bytes: png(4, 4) },
      { name: '/tmp/abs-evil.png', bytes: png(4, 4) },
      { name: 'good/a.png', bytes: png(5, 3) },
    ]);
    const res = await admin.req('POST', `/projects/${project.id}/images`, undefined, { raw: form([['archive', zip, 'x.zip']]) });
    const report = (await res.json()) as { imported: number; skipped: { code: string }[] };
    expect(res.status).toBe(200);
    expect(report.imported).toBe(1);
    expect(report.skipped.map((s) => s.code)).toEqual(['LABEL_UNSAFE_PATH', 'LABEL_UNSAFE_PATH']);
    expect(existsSync(join(dirname(h.dir), 'evil.png'))).toBe(false);
    expect(existsSync('/tmp/abs-evil.png')).toBe(false);
    // stored files are named by content hash only
    for (const d of readdirSync(join(h.dir, 'files')))
      for (const f of readdirSync(join(h.dir, 'files', d))) expect(f).toMatch(/^[0-9a-f]{64}$/);
    await expect(readZip(new TextEncoder().encode('not a zip'), 1e6)).rejects.toMatchObject({ code: 'LABEL_BAD_IMPORT' });
  });

  it('draws each tool, exports COCO, re-imports it and gets the same shapes; YOLO and VOC export', async () => {
    h = await harness();
    const admin = await h.user('admin', 'admin');
    const ann = await h.user('ann', 'annotator');
    const { project } = await admin.json<{ project: { id: number } }>('POST', '/projects', { name: 'img', kind: 'image', schema: SCHEMA });
    const { user } = await ann.json<{ user: { id: number } }>('GET', '/auth/me');
    await admin.json('PUT', `/projects/${project.id}/members/${user.id}`);
    const up = await admin.req('POST', `/projects/${project.id}/images`, undefined, { raw: form([['file', png(32, 20), 'pic.png']]) });
    expect(((await up.json()) as { imported: number }).imported).toBe(1);
    const next = await ann.json<{ task: { id: number; version: number }; item: { data: { file: { sha256: string; width: number } } } }>(
      'POST',
      `/projects/${project.id}/tasks/next`,
    );
    expect(next.item.data.file.width).toBe(32);
    const img = await ann.req('GET', `/files/${next.item.data.file.sha256}`);
    expect(img.headers.get('content-type')).toBe('image/png');
    await ann.json('PUT', `/tasks/${next.task.id}`, {
      version: next.task.version,
      submit: true,
      result: { kind: 'image', shapes: SHAPES },
    });

    const coco = await (await admin.req('GET', `/projects/${project.id}/export?format=coco`)).text();
    const { project: copy } = await admin.json<{ project: { id: number } }>('POST', '/projects', {
      name: 'img2',
      kind: 'image',
      schema: SCHEMA,
    });
    const again = await admin.req('POST', `/projects/${copy.id}/images`, undefined, {
      raw: form([
        ['file', png(32, 20), 'pic.png'],
        ['file', new TextEncoder().encode(coco), 'annotations.json'],
      ]),
    });
    expect(((await again.json()) as { imported: number }).imported).toBe(1);
    const { items } = await admin.json<{ items: { data: { preAnnotations: ImageShape[] } }[] }>('GET', `/projects/${copy.id}/items`);
    expect(items[0]?.data.preAnnotations).toEqual(SHAPES);

    const yolo = await admin.req('GET', `/projects/${project.id}/export?format=yolo`);
    expect(yolo.headers.get('content-type')).toBe('application/zip');
    const yz = await readZip(new Uint8Array(await yolo.arrayBuffer()), 1e6);
    const text = (n: string) => new TextDecoder().decode(yz.entries.find((e) => e.name === n)?.bytes);
    expect(text('classes.txt')).toBe('cat\ndog\n');
    expect(text('labels/pic.txt').split('\n')[0]).toBe('0 0.257813 0.35 0.328125 0.3');
    const voc = await readZip(
      new Uint8Array(await (await admin.req('GET', `/projects/${project.id}/export?format=voc`)).arrayBuffer()),
      1e6,
    );
    const xml = new TextDecoder().decode(voc.entries[0]?.bytes);
    expect(xml).toContain('<xmin>3</xmin>');
    expect(xml).toContain('<xmax>13.5</xmax>');
  });
});
