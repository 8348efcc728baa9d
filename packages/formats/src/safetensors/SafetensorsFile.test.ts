import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@puyu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from './SafetensorsFile.js';

// Written by scripts/reference/safetensors_fixture.py from torch tensors; reference.json holds
// the raw bytes and torch's own `.float()` bits for each tensor.
const FIXTURE = join(import.meta.dirname, 'fixtures', 'reference.safetensors');
interface Expected {
  header_length: number;
  metadata: Record<string, string>;
  order: string[];
  tensors: Record<string, { dtype: string; shape: number[]; raw_hex: string; f32_bits: number[] }>;
}
const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'reference.json'), 'utf8')) as Expected;

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('SafetensorsFile vs the PyTorch fixture', () => {
  let f: SafetensorsFile;
  beforeAll(async () => {
    f = await SafetensorsFile.open(FIXTURE);
  });
  afterAll(() => f.close());

  it('lists tensors in file order with dtype and PyTorch-order shapes', () => {
    expect(f.names).toEqual(expected.order);
    for (const t of f.tensors) {
      expect(t.dtype).toBe(expected.tensors[t.name].dtype);
      expect(t.shape).toEqual(expected.tensors[t.name].shape);
    }
    expect(f.metadata).toEqual(expected.metadata);
    expect(f.dataStart).toBe(8 + expected.header_length);
  });

  it('reads every tensor raw, byte for byte', async () => {
    for (const name of expected.order) {
      expect(Buffer.from(await f.readRaw(name)).toString('hex'), name).toBe(expected.tensors[name].raw_hex);
    }
  });

  it('converts F32/F16/BF16/I64/U8 to f32 bit-exactly as torch .float() (NaN, ±0, Inf, subnormals)', async () => {
    for (const name of expected.order) {
      expect(bits(await f.readF32(name)), name).toEqual(expected.tensors[name].f32_bits);
    }
  });

  it('reads concurrently and refuses unknown names and reads after close', async () => {
    const all = await Promise.all(expected.order.map((n) => f.readRaw(n)));
    expect(all.map((b) => b.byteLength)).toEqual(expected.order.map((n) => expected.tensors[n].raw_hex.length / 2));
    expect(() => f.info('nope')).toThrow(FormatError);
    await expect(f.readF32('nope')).rejects.toMatchObject({ code: 'SAFETENSORS_TENSOR_NOT_FOUND' });
    const g = await SafetensorsFile.open(FIXTURE);
    await g.close();
    await expect(g.readRaw('scalar')).rejects.toMatchObject({ code: 'SAFETENSORS_CLOSED' });
    await g.close(); // idempotent
  });

  it('supports await using', async () => {
    let seen: SafetensorsFile | undefined;
    {
      await using g = await SafetensorsFile.open(FIXTURE);
      seen = g;
      expect((await g.readF32('scalar'))[0]).toBe(3.5);
    }
    await expect(seen.readRaw('scalar')).rejects.toMatchObject({ code: 'SAFETENSORS_CLOSED' });
  });
});

describe('SafetensorsFile reads lazily', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'puyu-st-lazy-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads only the asked tensor: a file whose other tensor region is a sparse hole opens and reads fine', async () => {
    // 64 MiB tensor declared but the bytes before it are never touched when reading the small one.
    const big = 64 * 1024 * 1024;
    const header = Buffer.from(
      JSON.stringify({
        small: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        big: { dtype: 'U8', shape: [big], data_offsets: [8, 8 + big] },
      }),
    );
    const pad = Buffer.alloc((8 - (header.length % 8)) % 8, 0x20);
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length + pad.length));
    const path = join(dir, 'sparse.safetensors');
    const small = Buffer.from(new Float32Array([1.25, -2]).buffer);
    await writeFile(path, Buffer.concat([prefix, header, pad, small]));
    const { truncate } = await import('node:fs/promises');
    await truncate(path, 8 + header.length + pad.length + 8 + big); // sparse tail: no data written
    const before = process.memoryUsage().arrayBuffers;
    await using f = await SafetensorsFile.open(path);
    expect(Array.from(await f.readF32('small'))).toEqual([1.25, -2]);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(big / 2);
    expect(f.info('big').byteLength).toBe(big);
  });
});

describe('toFloat32', () => {
  it('decodes all 65,536 F16 patterns: values as the shared converter, NaN payloads kept like torch', async () => {
    const { toFloat32 } = await import('./toFloat32.js');
    const { f16BitsToF32 } = await import('../numeric/half.js');
    const all = new Uint16Array(65536);
    for (let i = 0; i < all.length; i++) all[i] = i;
    const got = toFloat32('F16', new Uint8Array(all.buffer));
    const gotBits = new Uint32Array(got.buffer);
    for (let h = 0; h < 65536; h++) {
      const nan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (nan) {
        // c10's fp16_ieee_to_fp32: sign | 0x7f800000 | mantissa << 13, signaling NaNs included.
        if (gotBits[h] !== (((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13)) >>> 0) throw new Error(`NaN ${h.toString(16)}`);
      } else if (!Object.is(got[h], f16BitsToF32(h))) {
        throw new Error(`f16 ${h.toString(16)}: ${got[h]} vs ${f16BitsToF32(h)}`);
      }
    }
    expect(got[0x3c00]).toBe(1);
    expect(got[0x0001]).toBe(2 ** -24);
    expect(gotBits[0x7c01]).toBe(0x7f802000);
  });
  it('decodes FP8 E4M3 / E5M2, integers and BOOL', async () => {
    const { toFloat32 } = await import('./toFloat32.js');
    // E4M3: 0x38 = 1.0, 0x7e = 448 (max), 0x01 = 2^-9 (smallest subnormal), 0xff = NaN
    expect(Array.from(toFloat32('F8_E4M3', new Uint8Array([0x38, 0x7e, 0x01, 0xb8])))).toEqual([1, 448, 2 ** -9, -1]);
    expect(Number.isNaN(toFloat32('F8_E4M3', new Uint8Array([0xff]))[0])).toBe(true);
    // E5M2: 0x3c = 1.0, 0x7b = 57344 (max), 0x7c = Inf
    expect(Array.from(toFloat32('F8_E5M2', new Uint8Array([0x3c, 0x7b, 0x7c])))).toEqual([1, 57344, Number.POSITIVE_INFINITY]);
    expect(Array.from(toFloat32('I16', new Uint8Array(new Int16Array([-7, 300]).buffer)))).toEqual([-7, 300]);
    expect(Array.from(toFloat32('U32', new Uint8Array(new Uint32Array([4e9]).buffer)))).toEqual([Math.fround(4e9)]);
    expect(Array.from(toFloat32('F64', new Uint8Array(new Float64Array([0.1]).buffer)))).toEqual([Math.fround(0.1)]);
    expect(Array.from(toFloat32('BOOL', new Uint8Array([0, 1, 2])))).toEqual([0, 1, 1]);
    // Unaligned input is copied, not misread.
    const buf = new Uint8Array(9);
    buf.set(new Uint8Array(new Float32Array([1.5, -2]).buffer), 1);
    expect(Array.from(toFloat32('F32', buf.subarray(1)))).toEqual([1.5, -2]);
    expect(() => toFloat32('F32', new Uint8Array(3))).toThrow('whole number');
  });
});
