import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CheckpointData, Checkpoints } from './Checkpoints.js';

function data(step: number): CheckpointData {
  const w = new Float32Array([step, 1.5, -2]);
  return {
    step,
    params: new Map([
      ['a.weight', { shape: [3], data: w }],
      ['b.weight', { shape: [2, 2], data: new Float32Array([1, 2, 3, step]) }],
    ]),
    m: new Map([['a.weight', new Float32Array([0.1, 0.2, 0.3])]]),
    v: new Map([['a.weight', new Float32Array([0.01, 0.02, 0.03])]]),
    extra: { batcher: { epoch: 0, cursor: step * 10 } },
  };
}

describe('Checkpoints', () => {
  it('saves, keeps the last K and loads exactly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-ckpt-'));
    const ck = new Checkpoints(dir, 2);
    for (const s of [10, 20, 30]) await ck.save(data(s));
    expect((await ck.list()).map((c) => c.step)).toEqual([20, 30]);
    expect((await readdir(dir)).some((n) => n.includes('tmp'))).toBe(false);
    const got = await ck.load((await ck.latest())!.path);
    expect(got.step).toBe(30);
    expect(Array.from(got.params.get('b.weight')!.data)).toEqual([1, 2, 3, 30]);
    expect(got.params.get('b.weight')!.shape).toEqual([2, 2]);
    expect(Array.from(got.m.get('a.weight')!)).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3])));
    expect(Array.from(got.v.get('b.weight')!)).toEqual([0, 0, 0, 0]);
    expect(got.extra).toEqual({ batcher: { epoch: 0, cursor: 300 } });
  });

  it('reports a damaged checkpoint clearly and leaves the previous one usable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-ckpt-'));
    const ck = new Checkpoints(dir, 3);
    await ck.save(data(1));
    const second = await ck.save(data(2));
    const file = join(second, 'model.safetensors');
    const bytes = await readFile(file);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(file, bytes);
    await expect(ck.load(second)).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT', message: expect.stringContaining('checksum') });
    const first = (await ck.list())[0];
    expect((await ck.load(first.path)).step).toBe(1);
    await writeFile(join(second, 'manifest.json'), '{oops');
    await expect(ck.load(second)).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' });
  });

  it('stores the run fingerprint in the manifest and reads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-ckpt-'));
    const ck = new Checkpoints(dir, 1);
    const fingerprint = { version: 1, model: { sha256: 'abc', config: { hidden_size: 32 } } };
    const path = await ck.save({ ...data(5), fingerprint });
    expect(JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8')).fingerprint).toEqual(fingerprint);
    expect((await ck.load(path)).fingerprint).toEqual(fingerprint);
  });

  it('refuses a malformed manifest or optimizer file as CHECKPOINT_CORRUPT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-ckpt-'));
    const ck = new Checkpoints(dir, 1);
    const path = await ck.save(data(5));
    const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8'));
    for (const bad of [
      { ...manifest, step: 'five' },
      { ...manifest, files: {} },
      { ...manifest, extra: [] },
    ]) {
      await writeFile(join(path, 'manifest.json'), JSON.stringify(bad));
      await expect(ck.load(path)).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' });
    }
  });
});
