import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJsonConfig } from '@puyu/core';
import { describe, expect, it } from 'vitest';
import { RUN_CONFIG_PATHS, runConfigSchema } from './RunConfig.js';

describe('run config file paths', () => {
  it('are relative to the config file, whatever folder the command runs from', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-runcfg-'));
    const file = join(dir, 'run.json');
    await writeFile(
      file,
      JSON.stringify({
        models: ['local:models/tiny.gguf', 'http://127.0.0.1:8000@m', { spec: 'local:other.gguf', name: 'o' }],
        datasets: ['gsm8k'],
        dataRoot: '../data',
        outDir: 'out',
        cache: '/abs/cache.jsonl',
      }),
    );
    const c = await loadJsonConfig(runConfigSchema, file, { paths: RUN_CONFIG_PATHS });
    expect(c.models).toEqual([
      `local:${join(dir, 'models/tiny.gguf')}`,
      'http://127.0.0.1:8000@m',
      { spec: `local:${join(dir, 'other.gguf')}`, name: 'o' },
    ]);
    expect(c.dataRoot).toBe(join(dir, '../data'));
    expect(c.outDir).toBe(join(dir, 'out'));
    expect(c.cache).toBe('/abs/cache.jsonl');
  });
});
