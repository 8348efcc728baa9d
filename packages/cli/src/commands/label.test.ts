import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenAIPeer } from '@puyu/testing';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
const tmp = mkdtempSync(join(tmpdir(), 'puyu-cli-label-'));
const data = join(tmp, 'data');
const puyu = (args: string[], input?: string) =>
  spawnSync(process.execPath, [BIN, 'label', ...args, '--data', data], { encoding: 'utf8', cwd: tmp, input, timeout: 120_000 });

/** Like puyu, without blocking this process's event loop (the OpenAI peer answers from it). */
function puyuAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'label', ...args, '--data', data], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** A 2×2 PNG (its size is all the importer reads). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

describe('puyu label', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('adds users with the password from stdin and refuses a short password or unknown role with a coded error', () => {
    const ok = puyu(['user', 'add', 'alice', '--role', 'admin'], 'a long password\n');
    expect(ok.stdout).toMatch(/user alice \(admin\), id 1/);
    const short = puyu(['user', 'add', 'bob', '--role', 'annotator'], 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/\[LABEL_BAD_REQUEST\]/);
    const role = puyu(['user', 'add', 'bob', '--role', 'boss'], 'a long password\n');
    expect(role.status).toBe(2);
    expect(role.stderr).toMatch(/\[CLI_BAD_OPTION\]/);
  });

  it('creates projects, imports a JSONL file and an image folder with YOLO labels, and exports', () => {
    writeFileSync(join(tmp, 'schema.json'), JSON.stringify({ questions: [], labels: [{ name: 'cat' }], tools: ['rectangle'] }));
    expect(puyu(['project', 'dialogues', '--kind', 'dialogue']).stdout).toMatch(/project dialogues \(dialogue\)/);
    expect(puyu(['project', 'pics', '--kind', 'image', '--schema', join(tmp, 'schema.json')]).status).toBe(0);
    writeFileSync(join(tmp, 'd.jsonl'), `${JSON.stringify({ conversation: [{ input: 'hi', output: 'hello' }] })}\nnot json\n`);
    const imp = puyu(['import', 'dialogues', join(tmp, 'd.jsonl')]);
    expect(imp.stdout).toMatch(/imported 1 items into dialogues, skipped 1/);
    expect(imp.stderr).toMatch(/skipped line 2: \[LABEL_BAD_IMPORT\]/);
    const pics = join(tmp, 'pics');
    mkdirSync(join(pics, 'labels'), { recursive: true });
    writeFileSync(join(pics, 'a.png'), PNG);
    writeFileSync(join(pics, 'classes.txt'), 'cat\n');
    writeFileSync(join(pics, 'labels', 'a.txt'), '0 0.5 0.5 1 1\n');
    expect(puyu(['import', 'pics', pics]).stdout).toMatch(/imported 1 items into pics/);
    const out = join(tmp, 'raw.jsonl');
    expect(puyu(['export', 'pics', '--format', 'raw', '-o', out]).status).toBe(0);
    const line = JSON.parse(readFileSync(out, 'utf8')) as { data: { file: { width: number }; preAnnotations: unknown[] } };
    expect(line.data.file.width).toBe(2);
    expect(line.data.preAnnotations).toEqual([{ id: 'yolo1', type: 'rectangle', label: 'cat', x: 0, y: 0, width: 2, height: 2 }]);
    expect(puyu(['export', 'pics', '--format', 'sft', '-o', out]).stderr).toMatch(/\[LABEL_BAD_EXPORT\]/);
    // a training set made from labels records where it came from (the database is not a file)
    const sft = join(tmp, 'sft.jsonl');
    expect(puyu(['export', 'dialogues', '--format', 'sft', '-o', sft]).status).toBe(0);
    const manifest = JSON.parse(readFileSync(`${sft}.lineage.json`, 'utf8')) as { kind: string; config: unknown; parents: unknown[] };
    expect(manifest).toMatchObject({ kind: 'sft-data', config: { project: 'dialogues', format: 'sft' }, parents: [] });
  });

  it('pre-annotates through an OpenAI-compatible server and resumes', async () => {
    const peer = await startOpenAIPeer(() => ['model one', 'model two']);
    try {
      const run = () => puyuAsync(['preannotate', 'dialogues', '--model', `${peer.url}@peer`, '--count', '2']);
      expect((await run()).stdout).toMatch(/pre-annotated 1 items of dialogues, 0 failed/);
      expect((await run()).stdout).toMatch(/pre-annotated 0 items/);
      expect(peer.requests.length).toBe(1);
      const out = join(tmp, 'pre.jsonl');
      await puyuAsync(['export', 'dialogues', '--format', 'raw', '-o', out]);
      const rec = JSON.parse(readFileSync(out, 'utf8')) as { data: { candidates: { content: string; source: string }[] } };
      expect(rec.data.candidates.map((c) => `${c.source}:${c.content}`)).toEqual([
        'import:hello',
        'model:peer:model one',
        'model:peer:model two',
      ]);
    } finally {
      await peer.close();
    }
  });

  it('serves the API and its OpenAPI document', async () => {
    const child = spawn(process.execPath, [BIN, 'label', 'serve', '--data', data, '--port', '0'], {
      cwd: tmp,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /(http:\/\/\S+?)\/api\/label/.exec(out);
          if (m) resolve(m[1] as string);
        });
        child.on('exit', (c) => reject(new Error(`exited ${c}`)));
      });
      const doc = (await (await fetch(`${url}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toContain('/api/label/projects/{projectId}/tasks/next');
      expect((await fetch(`${url}/api/label/projects`)).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
