import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSftConfig } from './sftConfig.js';

const base = { train: { seq_len: 16, batch_size: 2, steps: 10, lr: 1e-3 }, output: { dir: 'run' } };

function problems(raw: unknown): string {
  try {
    parseSftConfig(raw);
  } catch (e) {
    expect((e as { code: string }).code).toBe('CONFIG_INVALID');
    return (e as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('sft config', () => {
  it('applies defaults and resolves paths against the config folder; the tokenizer defaults to init_from', () => {
    const c = parseSftConfig({ init_from: 'hf', data: { train: ['a.jsonl'], val: ['b.jsonl'] }, ...base }, 'cfg', '/base');
    expect(c.init_from).toBe('/base/hf');
    expect(c.tokenizer).toBeUndefined();
    expect(c.data).toEqual({ train: ['/base/a.jsonl'], val: ['/base/b.jsonl'], val_fraction: 0, format: 'auto', overflow: 'truncate' });
    expect(c.output.dir).toBe('/base/run');
    expect(c.train).toMatchObject({ grad_accum: 1, threads: 1, weight_decay: 0.1, grad_clip: 1 });
    expect(c.output.gguf).toEqual(['f32']);
  });

  it('lists every bad field at once', () => {
    const message = problems({ data: { train: [], format: 'sharegpt' }, train: { seq_len: 1, steps: 0, lr: -1, bogus: 1 }, output: {} });
    for (const field of ['init_from', 'data.train', 'data.format', 'train.seq_len', 'train.steps', 'train.lr', 'output.dir'])
      expect(message).toContain(`${field}:`);
    expect(message).toMatch(/bogus/);
  });

  it('takes generated data instead of files, not both', () => {
    const c = parseSftConfig({ init_from: 'hf', data: { generate: { kind: 'calculator', train: 100 } }, ...base });
    expect(c.data.generate).toEqual({ kind: 'calculator', train: 100, heldout: 200, seed: 0 });
    expect(problems({ init_from: 'hf', data: {}, ...base })).toContain('data.train: name the training files, or set data.generate');
    expect(problems({ init_from: 'hf', data: { train: ['a'], generate: { kind: 'calculator', train: 1 } }, ...base })).toContain(
      'data.generate:',
    );
    expect(problems({ init_from: 'hf', data: { generate: { kind: 'poems', train: 1 } }, ...base })).toContain('data.generate.kind');
  });

  it('the shipped recipe parses and starts from the calculator pretraining chain', () => {
    const path = resolve(__dirname, '../../../../recipes/sft-calculator.json');
    const c = parseSftConfig(JSON.parse(readFileSync(path, 'utf8')), path, resolve(path, '..'));
    expect(c.init_from).toBe(join(resolve(path, '../..'), 'runs/pretrain-calculator/hf'));
    expect(c.data.generate?.kind).toBe('calculator');
    expect(c.output.gguf.length).toBeGreaterThan(0);
  });
});
