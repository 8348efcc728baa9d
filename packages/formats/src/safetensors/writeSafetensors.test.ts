import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Array, f32ToF16Array } from '../numeric/half.js';
import type { SafetensorsDtype } from './dtype.js';
import { SafetensorsFile } from './SafetensorsFile.js';
import { type SafetensorsTensorInput, writeSafetensors } from './writeSafetensors.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
interface Expected {
  metadata: Record<string, string>;
  order: string[];
  tensors: Record<string, { dtype: SafetensorsDtype; shape: number[]; raw_hex: string }>;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-st-write-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 8;
  }
  return out;
}

describe('writeSafetensors', () => {
  it('reproduces the PyTorch-written fixture byte for byte (order, header, padding, data)', async () => {
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as Expected;
    // Feed the tensors in reverse alphabetical order: the writer must sort them itself.
    const inputs: SafetensorsTensorInput[] = Object.keys(expected.tensors)
      .sort()
      .reverse()
      .map((name) => {
        const t = expected.tensors[name];
        return { name, dtype: t.dtype, shape: t.shape, data: new Uint8Array(Buffer.from(t.raw_hex, 'hex')) };
      });
    const path = join(dir, 'copy.safetensors');
    const written = await writeSafetensors(path, inputs, expected.metadata);
    expect(written.tensors.map((t) => t.name)).toEqual(expected.order);
    const ours = await readFile(path);
    expect(ours.equals(readFileSync(join(FIXTURES, 'reference.safetensors')))).toBe(true);
    expect(written.byteLength).toBe(ours.length);
  });

  it('round-trips f32 values through F32, F16 and BF16 with round-to-nearest-even', async () => {
    const v = values(3 * 7, 1);
    v[0] = Number.NaN;
    v[1] = -0;
    v[2] = 70000; // beyond f16 → Inf
    const path = join(dir, 'rt.safetensors');
    await writeSafetensors(
      path,
      [
        { name: 'a.f16', dtype: 'F16', shape: [3, 7], data: v },
        { name: 'a.bf16', dtype: 'BF16', shape: [3, 7], data: v },
        { name: 'a.f32', dtype: 'F32', shape: [3, 7], data: v },
      ],
      { format: 'pt' },
    );
    await using f = await SafetensorsFile.open(path);
    expect(f.names).toEqual(['a.f32', 'a.bf16', 'a.f16']); // F32 > BF16 > F16 in the reference's dtype order
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.info('a.f16').shape).toEqual([3, 7]);
    expect(Object.is((await f.readF32('a.f32'))[1], -0)).toBe(true);
    expect(await f.readF32('a.f32')).toEqual(v);
    const f16 = Array.from(f32ToF16Array(v), f16BitsToF32);
    const bf16 = Array.from(f32ToBf16Array(v), bf16BitsToF32);
    expect(Array.from(await f.readF32('a.f16'))).toEqual(f16);
    expect(Array.from(await f.readF32('a.bf16'))).toEqual(bf16);
    expect((await f.readF32('a.f16'))[2]).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN((await f.readF32('a.bf16'))[0])).toBe(true);
  });

  it('converts in chunks for tensors larger than one chunk, and accepts lazy data', async () => {
    const n = (1 << 20) * 2 + 123;
    const v = values(n, 7);
    const path = join(dir, 'big.safetensors');
    let produced = 0;
    await writeSafetensors(path, [
      {
        name: 'w',
        dtype: 'F16',
        shape: [n],
        data: async () => {
          produced++;
          return v;
        },
      },
      { name: 'ids', dtype: 'I32', shape: [3], data: () => new Uint8Array(new Int32Array([1, -2, 3]).buffer) },
    ]);
    expect(produced).toBe(1);
    await using f = await SafetensorsFile.open(path);
    const raw = await f.readRaw('w');
    expect(Buffer.from(raw).equals(Buffer.from(f32ToF16Array(v).buffer))).toBe(true);
    expect(Array.from(await f.readF32('ids'))).toEqual([1, -2, 3]);
  });

  it('writes scalars, empty tensors and an empty file like the reference', async () => {
    const path = join(dir, 'edge.safetensors');
    await writeSafetensors(path, [
      { name: 's', dtype: 'F32', shape: [], data: new Float32Array([2.5]) },
      { name: 'e', dtype: 'BF16', shape: [0, 5], data: new Float32Array(0) },
    ]);
    await using f = await SafetensorsFile.open(path);
    expect(Array.from(await f.readF32('s'))).toEqual([2.5]);
    expect((await f.readRaw('e')).byteLength).toBe(0);
    const empty = join(dir, 'empty.safetensors');
    await writeSafetensors(empty, []);
    expect(Array.from(await readFile(empty))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  });

  it('refuses bad input before writing and leaves no file or temp behind', async () => {
    const sub = await mkdtemp(join(dir, 'bad-'));
    const path = join(sub, 'x.safetensors');
    const bad: [SafetensorsTensorInput[], string][] = [
      [[{ name: 'a', dtype: 'F32', shape: [2], data: new Float32Array(3) }], 'needs 2 values, got 3'],
      [[{ name: 'a', dtype: 'F16', shape: [2], data: new Uint8Array(3) }], 'is 4 bytes, got 3'],
      [[{ name: 'a', dtype: 'I64', shape: [1], data: new Float32Array(1) }], 'not I64'],
      [
        [
          { name: 'a', dtype: 'F32', shape: [1], data: new Float32Array(1) },
          { name: 'a', dtype: 'F32', shape: [1], data: new Float32Array(1) },
        ],
        'appears twice',
      ],
      [[{ name: '__metadata__', dtype: 'F32', shape: [1], data: new Float32Array(1) }], 'not "__metadata__"'],
      [[{ name: 'a', dtype: 'F32', shape: [-1], data: new Float32Array(1) }], 'non-negative'],
      [[{ name: 'a', dtype: 'Q8' as SafetensorsDtype, shape: [1], data: new Float32Array(1) }], 'unknown dtype'],
      [[{ name: 'a', dtype: 'F32', shape: [1], data: () => Promise.reject(new Error('producer failed')) }], 'producer failed'],
    ];
    for (const [tensors, message] of bad) {
      await expect(writeSafetensors(path, tensors)).rejects.toThrow(message);
    }
    await expect(writeSafetensors(path, [], { n: 3 as unknown as string })).rejects.toMatchObject({ code: 'SAFETENSORS_BAD_METADATA' });
    expect(await readdir(sub)).toEqual([]);
  });

  it('replaces an existing file only once the new one is complete', async () => {
    const path = join(dir, 'keep.safetensors');
    await writeFile(path, 'old contents');
    await expect(
      writeSafetensors(path, [
        { name: 'a', dtype: 'F32', shape: [1], data: new Float32Array(1) },
        { name: 'b', dtype: 'F32', shape: [2], data: new Float32Array(5) },
      ]),
    ).rejects.toMatchObject({ code: 'SAFETENSORS_BAD_TENSOR' });
    expect(await readFile(path, 'utf8')).toBe('old contents');
    await writeSafetensors(path, [{ name: 'a', dtype: 'F32', shape: [1], data: new Float32Array([4]) }]);
    await using f = await SafetensorsFile.open(path);
    expect(Array.from(await f.readF32('a'))).toEqual([4]);
  });

  it('reports an unwritable destination as SAFETENSORS_NOT_FOUND / SAFETENSORS_IO', async () => {
    await expect(writeSafetensors(join(dir, 'no', 'such', 'x.safetensors'), [])).rejects.toMatchObject({ code: 'SAFETENSORS_NOT_FOUND' });
  });
});
