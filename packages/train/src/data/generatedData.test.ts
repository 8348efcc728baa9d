import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CALCULATOR_GENERATOR_VERSION, ensureGenerated } from './generatedData.js';

describe('ensureGenerated', () => {
  let dir = '';
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes once, reuses on the same settings, rewrites on changed settings, missing files or an older generator', async () => {
    dir = await mkdtemp(join(tmpdir(), 'puyu-gen-'));
    const file = join(dir, 'train.jsonl');
    let writes = 0;
    const write = async () => {
      writes++;
      await writeFile(file, `${writes}\n`);
    };
    expect(await ensureGenerated(dir, { train: 10, seed: 0 }, [file], write)).toBe(true);
    expect(await ensureGenerated(dir, { train: 10, seed: 0 }, [file], write)).toBe(false);
    expect(await ensureGenerated(dir, { train: 11, seed: 0 }, [file], write)).toBe(true);
    await rm(file);
    expect(await ensureGenerated(dir, { train: 11, seed: 0 }, [file], write)).toBe(true);
    // a stamp from before generator versions existed (or an older version) regenerates
    await writeFile(join(dir, 'generate.json'), JSON.stringify({ train: 11, seed: 0 }));
    expect(await ensureGenerated(dir, { train: 11, seed: 0 }, [file], write)).toBe(true);
    expect(writes).toBe(4);
    expect(JSON.parse(await readFile(join(dir, 'generate.json'), 'utf8'))).toEqual({
      train: 11,
      seed: 0,
      generator_version: CALCULATOR_GENERATOR_VERSION,
    });
  });
});
