import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  describeError,
  FormatError,
  JsonlWriter,
  loadJsonConfig,
  Progress,
  PuyuError,
  parseConfig,
  parseJsonl,
  readJsonl,
} from './index.js';

describe('errors', () => {
  it('carries a stable code and subclasses by domain', () => {
    const e = new FormatError('GGUF_TRUNCATED', 'file ends early');
    expect(e).toBeInstanceOf(PuyuError);
    expect(e.code).toBe('GGUF_TRUNCATED');
    expect(e.name).toBe('FormatError');
    expect(describeError(e)).toBe('[GGUF_TRUNCATED] file ends early');
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ code: 'GGUF_TRUNCATED', name: 'FormatError' });
  });
});

describe('config', () => {
  const schema = z.object({ lr: z.number().positive(), steps: z.number().int(), name: z.string() });
  it('lists every bad field at once', () => {
    try {
      parseConfig(schema, { lr: -1, steps: 1.5 }, 'train.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const err = e as ConfigError;
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toContain('3 problems');
      expect(err.message).toMatch(/lr:/);
      expect(err.message).toMatch(/steps:/);
      expect(err.message).toMatch(/name:/);
    }
  });
  it('loads a JSON file and reports unreadable ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-core-'));
    const p = join(dir, 'c.json');
    await writeFile(p, JSON.stringify({ lr: 0.1, steps: 3, name: 'x' }));
    expect(await loadJsonConfig(schema, p)).toEqual({ lr: 0.1, steps: 3, name: 'x' });
    await expect(loadJsonConfig(schema, join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
    await writeFile(p, '{bad');
    await expect(loadJsonConfig(schema, p)).rejects.toMatchObject({ code: 'CONFIG_NOT_JSON' });
  });
});

describe('jsonl', () => {
  it('round-trips and names the bad line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-core-'));
    const p = join(dir, 'a.jsonl');
    const w = new JsonlWriter(p);
    for (let i = 0; i < 1000; i++) await w.write({ i, s: '中文' });
    await w.close();
    const got: unknown[] = [];
    for await (const o of readJsonl(p)) got.push(o);
    expect(got).toHaveLength(1000);
    expect(got[999]).toEqual({ i: 999, s: '中文' });
    expect(() => parseJsonl('{"a":1}\n\n{oops', 'x.jsonl')).toThrow(/x.jsonl:3/);
  });
});

describe('progress', () => {
  it('prints lines with rate and ETA when not a TTY', () => {
    const chunks: string[] = [];
    const stream = { write: (s: string) => chunks.push(s), isTTY: false } as unknown as NodeJS.WritableStream;
    const p = new Progress({ total: 10, label: 'train', stream, lineIntervalMs: 0, unit: 'step' });
    p.tick(5, 'loss 1.00');
    p.finish();
    expect(chunks[0]).toMatch(/^train \| 5\/10 \| 50\.0% \| .* step\/s \| ETA .* \| loss 1\.00\n$/);
    expect(chunks.at(-1)).toMatch(/10\/10|5\/10/);
  });
});

describe('toPuyuError', () => {
  it("gives Node's system errors a stable code and a hint, and anything else INTERNAL_ERROR", async () => {
    const { readFile } = await import('node:fs/promises');
    const { toPuyuError } = await import('./index.js');
    const missing = await readFile('/no/such/file').catch((e: unknown) => e);
    expect(toPuyuError(missing)).toMatchObject({ code: 'FILE_NOT_FOUND', message: '/no/such/file does not exist: check the path.' });
    expect(describeError(missing)).toBe('[FILE_NOT_FOUND] /no/such/file does not exist: check the path.');
    expect(toPuyuError(new TypeError('x is undefined')).code).toBe('INTERNAL_ERROR');
    expect(toPuyuError('thrown string').message).toContain('thrown string');
    const own = new ConfigError('CONFIG_INVALID', 'bad');
    expect(toPuyuError(own)).toBe(own);
  });
});

describe('config paths are relative to the config file', () => {
  it('resolves dotted, array and prefixed path fields; leaves absolute paths, URLs and other fields', async () => {
    const { resolveConfigPaths } = await import('./index.js');
    const raw = {
      tokenizer: 'tok.model',
      data: { train: ['a.txt', '/abs/b.txt'], val: ['c.txt'] },
      output: { dir: '../runs/x' },
      models: ['local:m.gguf', 'http://host:8000@name', { spec: 'local:/abs/m.gguf' }],
      name: 'not-a-path',
    };
    const out = resolveConfigPaths(raw, '/cfg/dir', [
      'tokenizer',
      'data.train[]',
      'data.val[]',
      'output.dir',
      'missing.field',
      { key: 'models[]', prefix: 'local:' },
      { key: 'models[].spec', prefix: 'local:' },
    ]);
    expect(out).toEqual({
      tokenizer: '/cfg/dir/tok.model',
      data: { train: ['/cfg/dir/a.txt', '/abs/b.txt'], val: ['/cfg/dir/c.txt'] },
      output: { dir: '/cfg/runs/x' },
      models: ['local:/cfg/dir/m.gguf', 'http://host:8000@name', { spec: 'local:/abs/m.gguf' }],
      name: 'not-a-path',
    });
    expect(raw.tokenizer).toBe('tok.model');
  });

  it('loadJsonConfig applies them, so the same file means the same run from any folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-cfg-'));
    const file = join(dir, 'run.json');
    await writeFile(file, JSON.stringify({ out: 'results' }));
    const schema = z.object({ out: z.string() });
    expect((await loadJsonConfig(schema, file, { paths: ['out'] })).out).toBe(join(dir, 'results'));
  });
});
