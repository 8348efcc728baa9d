import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLineage } from '@puyu/core/lineage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioApp } from '../../app.js';
import type { TraceResponse } from './index.js';

// A small chain written with the real manifest writer: raw text → corpus → tokenizer → HF folder
// → GGUF → eval run, plus one raw input outside the runs folder.
let root = '';
let runs = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'puyu-studio-lineage-'));
  runs = join(root, 'runs');
  const q = join(runs, 'qs');
  mkdirSync(join(q, 'tokenizer'), { recursive: true });
  mkdirSync(join(q, 'pretrain', 'hf'), { recursive: true });
  mkdirSync(join(runs, 'eval-1'), { recursive: true });
  mkdirSync(join(root, 'outside'), { recursive: true });
  writeFileSync(join(runs, 'raw.txt'), 'war and peace\n');
  writeFileSync(join(root, 'outside', 'extra.txt'), 'more text\n');
  writeFileSync(join(q, 'corpus.jsonl'), '{"text":"war and peace"}\n');
  await writeLineage(join(q, 'corpus.jsonl'), {
    kind: 'corpus',
    command: 'puyu data run recipe.json',
    parents: [join(runs, 'raw.txt'), join(root, 'outside', 'extra.txt')],
    metrics: { kept: 1 },
  });
  writeFileSync(join(q, 'tokenizer', 'tokenizer.model'), 'spm');
  await writeLineage(join(q, 'tokenizer'), { kind: 'tokenizer', command: 'puyu tokenizer train', parents: [join(q, 'corpus.jsonl')] });
  writeFileSync(join(q, 'pretrain', 'hf', 'model.safetensors'), 'weights');
  await writeLineage(join(q, 'pretrain', 'hf'), {
    kind: 'hf-model',
    command: 'puyu train pretrain pretrain.json',
    parents: [join(q, 'corpus.jsonl'), join(q, 'tokenizer')],
    metrics: { loss: 6.5 },
  });
  writeFileSync(join(q, 'pretrain', 'model.gguf'), 'gguf');
  await writeLineage(join(q, 'pretrain', 'model.gguf'), {
    kind: 'gguf',
    command: 'puyu model convert',
    parents: [join(q, 'pretrain', 'hf')],
  });
  writeFileSync(join(runs, 'eval-1', 'summary.csv'), 'dataset,score\ngsm8k,33.33\n');
  await writeLineage(join(runs, 'eval-1'), {
    kind: 'eval',
    command: 'puyu eval run --out runs/eval-1',
    parents: [join(q, 'pretrain', 'model.gguf')],
    metrics: { gsm8k: 33.33 },
  });
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the lineage API', () => {
  const app = () => createStudioApp({ runsDir: runs, endpoints: [], web: join(root, 'no-web') });
  const get = async <T>(path: string) => {
    const res = await app().request(path);
    return { status: res.status, body: (await res.json()) as T };
  };

  it('GET /api/lineage: every recorded artefact and its parents, parent → child', async () => {
    const { status, body } = await get<{
      runsDir: string;
      nodes: { id: string; kind: string; recorded: boolean; hash: string; command?: string; metrics?: Record<string, number> }[];
      edges: { from: string; to: string }[];
    }>('/api/lineage');
    expect(status).toBe(200);
    expect(body.runsDir).toBe(runs);
    const byId = new Map(body.nodes.map((n) => [n.id, n]));
    expect([...byId.keys()].sort()).toEqual(
      [
        join(root, 'outside', 'extra.txt'),
        'eval-1',
        'qs/corpus.jsonl',
        'qs/pretrain/hf',
        'qs/pretrain/model.gguf',
        'qs/tokenizer',
        'raw.txt',
      ].sort(),
    );
    expect(byId.get('raw.txt')).toMatchObject({ kind: 'raw', recorded: false });
    expect(byId.get('eval-1')).toMatchObject({
      kind: 'eval',
      recorded: true,
      command: 'puyu eval run --out runs/eval-1',
      metrics: { gsm8k: 33.33 },
    });
    expect(byId.get('qs/tokenizer')?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(body.edges).toContainEqual({ from: 'qs/pretrain/model.gguf', to: 'eval-1' });
    expect(body.edges).toContainEqual({ from: 'qs/tokenizer', to: 'qs/pretrain/hf' });
    expect(body.edges).toContainEqual({ from: 'raw.txt', to: 'qs/corpus.jsonl' });
    expect(body.edges).toHaveLength(7);
  });

  it('GET /api/lineage/trace: the chain back to raw inputs, each node once, all recorded', async () => {
    const { status, body } = await get<TraceResponse>('/api/lineage/trace?path=eval-1');
    expect(status).toBe(200);
    expect(body.root).toBe('eval-1');
    expect(body.nodes.map((n) => n.id)).toEqual([
      'eval-1',
      'qs/pretrain/model.gguf',
      'qs/pretrain/hf',
      'qs/corpus.jsonl',
      'raw.txt',
      join(root, 'outside', 'extra.txt'),
      'qs/tokenizer',
    ]);
    expect(body.nodes[0]).toMatchObject({
      kind: 'eval',
      status: 'recorded',
      metrics: { gsm8k: 33.33 },
      parents: ['qs/pretrain/model.gguf'],
    });
    expect(body.nodes.find((n) => n.id === 'qs/pretrain/hf')?.parents).toEqual(['qs/corpus.jsonl', 'qs/tokenizer']);
    expect(body.nodes.find((n) => n.id === 'raw.txt')).toMatchObject({ kind: 'raw', status: 'raw', problems: [] });
    expect(body.problems).toEqual([]);
  });

  it('names what changed or went missing, on the node it concerns', async () => {
    writeFileSync(join(runs, 'qs', 'tokenizer', 'tokenizer.model'), 'spm, retrained');
    rmSync(join(runs, 'raw.txt'));
    const { body } = await get<TraceResponse>('/api/lineage/trace?path=qs/pretrain/model.gguf');
    const node = (id: string) => body.nodes.find((n) => n.id === id)!;
    expect(node('qs/tokenizer').status).toBe('changed');
    expect(node('qs/tokenizer').problems).toEqual([
      'qs/tokenizer changed after its manifest was written',
      'qs/tokenizer changed after an artefact made from it',
    ]);
    expect(node('raw.txt')).toMatchObject({ status: 'missing', hash: '', problems: ['raw.txt is missing'] });
    expect(node('qs/pretrain/model.gguf')).toMatchObject({ status: 'recorded', problems: [] });
    expect(body.problems).toHaveLength(3);
  });

  it('refuses paths outside the runs folder, and says what is missing', async () => {
    for (const path of ['../outside/extra.txt', '/etc/passwd', 'qs/../../outside']) {
      const { status, body } = await get<{ error: { code: string } }>(`/api/lineage/trace?path=${encodeURIComponent(path)}`);
      expect(status, path).toBe(403);
      expect(body.error.code).toBe('STUDIO_PATH_OUTSIDE_RUNS');
    }
    const none = await get<{ error: { code: string } }>('/api/lineage/trace');
    expect([none.status, none.body.error.code]).toEqual([400, 'STUDIO_BAD_REQUEST']);
    const gone = await get<{ error: { code: string } }>('/api/lineage/trace?path=qs/nothing.gguf');
    expect([gone.status, gone.body.error.code]).toEqual([404, 'STUDIO_RUN_NOT_FOUND']);
  });

  it('a corrupt manifest: the graph leaves it out, a trace through it answers its code', async () => {
    const bad = join(runs, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'x.bin'), 'x');
    writeFileSync(join(bad, 'lineage.json'), '{ not json');
    const graph = await get<{ nodes: { id: string }[] }>('/api/lineage');
    expect(graph.body.nodes.map((n) => n.id)).not.toContain('bad');
    const { status, body } = await get<{ error: { code: string; message: string } }>('/api/lineage/trace?path=bad');
    expect([status, body.error.code]).toEqual([400, 'FILE_LINEAGE_CORRUPT']);
    expect(body.error.message).toContain('re-run the command that made it');
  });

  it('answers an empty graph for a runs folder with no manifests', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const res = await createStudioApp({ runsDir: empty, endpoints: [], web: join(root, 'no-web') }).request('/api/lineage');
    expect(await res.json()).toEqual({ runsDir: empty, nodes: [], edges: [] });
  });
});
