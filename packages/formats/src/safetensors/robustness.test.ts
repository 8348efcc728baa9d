import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@puyu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from './SafetensorsFile.js';

const FIXTURE = readFileSync(join(import.meta.dirname, 'fixtures', 'reference.safetensors'));

/** A file with an arbitrary header text (padded) and `data` after it. */
function file(header: string, data: Uint8Array = new Uint8Array()): Buffer {
  const h = Buffer.from(header);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([prefix, h, data]);
}

describe('SafetensorsFile refuses damaged files with FormatError codes', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'puyu-st-bad-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function openBytes(bytes: Uint8Array): Promise<FormatError> {
    const path = join(dir, `f${n++}.safetensors`);
    await writeFile(path, bytes);
    try {
      const f = await SafetensorsFile.open(path);
      await f.close();
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      const err = e as FormatError;
      expect(err.message).toContain(path); // says which file
      expect(err.message.split(' ').length).toBeGreaterThan(8); // and what to do, in a sentence
      return err;
    }
    throw new Error('expected open() to fail');
  }

  const cases: [string, () => Uint8Array, string][] = [
    ['an empty file', () => new Uint8Array(), 'SAFETENSORS_TRUNCATED'],
    ['a 5-byte file', () => FIXTURE.subarray(0, 5), 'SAFETENSORS_TRUNCATED'],
    ['a file cut inside the header', () => FIXTURE.subarray(0, 100), 'SAFETENSORS_TRUNCATED'],
    ['a file cut inside the data', () => FIXTURE.subarray(0, FIXTURE.length - 3), 'SAFETENSORS_TRUNCATED'],
    ['extra bytes after the data', () => Buffer.concat([FIXTURE, Buffer.from([1, 2, 3])]), 'SAFETENSORS_TRAILING_BYTES'],
    [
      'a header length beyond the file',
      () => {
        const b = Buffer.from(FIXTURE);
        b.writeBigUInt64LE(BigInt(FIXTURE.length));
        return b;
      },
      'SAFETENSORS_TRUNCATED',
    ],
    [
      'a 2^63 header length',
      () => {
        const b = Buffer.from(FIXTURE);
        b.writeBigUInt64LE(2n ** 63n);
        return b;
      },
      'SAFETENSORS_HEADER_TOO_LARGE',
    ],
    [
      'a 100 MB + 1 header length',
      () => {
        const b = file('{}');
        b.writeBigUInt64LE(100_000_001n);
        return b;
      },
      'SAFETENSORS_HEADER_TOO_LARGE',
    ],
    ['invalid JSON', () => file('{"a": {"dtype": "F32",'), 'SAFETENSORS_BAD_HEADER'],
    ['a GGUF file', () => Buffer.from('GGUF\x03\x00\x00\x00\x00\x00\x00\x00'), 'SAFETENSORS_WRONG_FORMAT'],
    ['a PyTorch zip checkpoint', () => Buffer.from('PK\x03\x04\x00\x00\x00\x00\x00\x00'), 'SAFETENSORS_WRONG_FORMAT'],
    ['a JSON array header', () => file('[]'), 'SAFETENSORS_BAD_HEADER'],
    ['NUL padding instead of spaces', () => file('{}\0\0\0\0\0\0'), 'SAFETENSORS_BAD_HEADER'],
    ['an entry without dtype', () => file('{"a":{"shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)), 'SAFETENSORS_BAD_DTYPE'],
    ['an unknown dtype', () => file('{"a":{"dtype":"F4","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)), 'SAFETENSORS_BAD_DTYPE'],
    [
      'overlapping offsets',
      () =>
        file(
          '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
          new Uint8Array(12),
        ),
      'SAFETENSORS_BAD_OFFSETS',
    ],
    [
      'offsets pointing past the end of the file',
      () =>
        file(
          '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1000],"data_offsets":[8,4008]}}',
          new Uint8Array(12),
        ),
      'SAFETENSORS_TRUNCATED',
    ],
    [
      'a dtype/shape/bytes mismatch',
      () => file('{"a":{"dtype":"BF16","shape":[3],"data_offsets":[0,8]}}', new Uint8Array(8)),
      'SAFETENSORS_SIZE_MISMATCH',
    ],
    ['non-string metadata', () => file('{"__metadata__":{"step":3}}'), 'SAFETENSORS_BAD_HEADER'],
  ];
  for (const [what, make, code] of cases) {
    it(`${what} → ${code}`, async () => {
      expect((await openBytes(make())).code).toBe(code);
    });
  }

  it('a missing file → SAFETENSORS_NOT_FOUND; a folder → SAFETENSORS_NOT_A_FILE', async () => {
    await expect(SafetensorsFile.open(join(dir, 'nope.safetensors'))).rejects.toMatchObject({ code: 'SAFETENSORS_NOT_FOUND' });
    await mkdir(join(dir, 'adir'));
    await expect(SafetensorsFile.open(join(dir, 'adir'))).rejects.toMatchObject({ code: 'SAFETENSORS_NOT_A_FILE' });
  });

  it('random corruption of the fixture never escapes as anything but FormatError', async () => {
    // Deterministic LCG so a failure reproduces.
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const path = join(dir, 'fuzz.safetensors');
    let opened = 0;
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(FIXTURE);
      const flips = 1 + Math.floor(rand() * 4);
      // Aim most flips at the prefix + header, where parsing decisions are made.
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * (rand() < 0.8 ? 850 : b.length))] = Math.floor(rand() * 256);
      const cut = rand() < 0.2 ? Math.floor(rand() * b.length) : b.length;
      await writeFile(path, b.subarray(0, cut));
      try {
        const f = await SafetensorsFile.open(path);
        opened++;
        for (const t of f.tensors) await (t.dtype === 'BOOL' ? f.readRaw(t.name) : f.readF32(t.name));
        await f.close();
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
      }
    }
    expect(opened).toBeGreaterThan(0); // some flips land in tensor data and must still read
  });
});
