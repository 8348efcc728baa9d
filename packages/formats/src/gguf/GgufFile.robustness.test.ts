import { mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@puyu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgufFile } from './GgufFile.js';
import { GgufWriter } from './GgufWriter.js';
import { GgmlType } from './ggml-type.js';
import { GgufValueType, gv } from './types.js';
import { ByteSink } from './value-codec.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-gguf-bad-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(bytes: Uint8Array): Promise<string> {
  const p = join(dir, `f${n++}.gguf`);
  await writeFile(p, bytes);
  return p;
}

async function valid(): Promise<Buffer> {
  const p = join(dir, `valid${n++}.gguf`);
  await new GgufWriter()
    .set('general.architecture', gv.str('llama'))
    .set('k.arr', gv.i32s([1, 2, 3]))
    .addTensor('aa', [32, 2], new Float32Array(64).fill(1), GgmlType.Q8_0)
    .addTensor('ab', [4], new Float32Array(4).fill(2))
    .write(p);
  return readFile(p);
}

/** Hand-built header: magic, version, counts, then whatever `body` writes. */
function header(nTensors: bigint, nKv: bigint, body: (s: ByteSink) => void, version = 3): Buffer {
  const s = new ByteSink();
  s.u32(0x46554747);
  s.u32(version);
  s.u64(nTensors);
  s.u64(nKv);
  body(s);
  return Buffer.from(s.bytes());
}

async function rejects(path: string, code: string, message?: RegExp): Promise<FormatError> {
  const e = await GgufFile.open(path).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FormatError);
  expect((e as FormatError).code).toBe(code);
  if (message) expect((e as FormatError).message).toMatch(message);
  return e as FormatError;
}

describe('GgufFile on bad input', () => {
  it('bad magic', async () => {
    await rejects(await file(Buffer.from('GGML\x03\x00\x00\x00')), 'GGUF_BAD_MAGIC', /starts with 'GGML'/);
    await rejects(await file(Buffer.from('{"not":"gguf"}')), 'GGUF_BAD_MAGIC');
    await rejects(await file(new Uint8Array(0)), 'GGUF_BAD_MAGIC');
  });

  it('missing file or a directory', async () => {
    await expect(GgufFile.open(join(dir, 'nope.gguf'))).rejects.toMatchObject({ code: 'GGUF_NOT_FOUND' });
    await expect(GgufFile.open(dir)).rejects.toMatchObject({ code: 'GGUF_UNREADABLE' });
  });

  it('unsupported versions', async () => {
    await rejects(await file(header(0n, 0n, () => {}, 1)), 'GGUF_UNSUPPORTED_VERSION', /v1 is obsolete/);
    await rejects(await file(header(0n, 0n, () => {}, 4)), 'GGUF_UNSUPPORTED_VERSION');
    await rejects(await file(header(0n, 0n, () => {}, 0x03000000)), 'GGUF_UNSUPPORTED_VERSION', /big-endian/);
  });

  it('every truncation of a valid file is rejected, never hangs', async () => {
    const good = await valid();
    // Any prefix that cuts the header or tensor data must fail (only the last tensor's padding is optional).
    const f = await GgufFile.open(await file(good));
    const end = Math.max(...f.tensors.map((t) => t.offset + t.byteLength));
    await f.close();
    expect(end).toBeLessThan(good.length);
    for (let len = 0; len < end; len++) {
      const e = await GgufFile.open(await file(good.subarray(0, len))).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, `prefix of ${len} bytes`).toBeInstanceOf(FormatError);
      expect(['GGUF_TRUNCATED', 'GGUF_BAD_MAGIC', 'GGUF_CORRUPT']).toContain((e as FormatError).code);
    }
  });

  it('tensor data past the end of the file', async () => {
    const good = await valid();
    await rejects(await file(good.subarray(0, good.length - 40)), 'GGUF_TRUNCATED', /data of tensor 'ab' ends at byte/);
  });

  it('a string length of 2^60 is corrupt, not an allocation', async () => {
    const p = await file(
      header(0n, 1n, (s) => {
        s.u64(2n ** 60n);
        s.zeros(64);
      }),
    );
    await rejects(p, 'GGUF_CORRUPT', /length 1152921504606846976/);
  });

  it('a string running past the end is truncated', async () => {
    await rejects(await file(header(0n, 1n, (s) => s.u64(100n))), 'GGUF_TRUNCATED');
  });

  it('absurd tensor and metadata counts', async () => {
    await rejects(await file(header(2n ** 40n, 0n, () => {})), 'GGUF_CORRUPT', /tensor infos/);
    await rejects(await file(header(0n, 2n ** 63n, () => {})), 'GGUF_CORRUPT', /metadata entries/);
    await rejects(await file(header(2n ** 64n - 1n, 2n ** 64n - 1n, () => {})), 'GGUF_CORRUPT');
  });

  it('an absurd array count', async () => {
    const p = await file(
      header(0n, 1n, (s) => {
        s.str('k');
        s.u32(GgufValueType.ARRAY);
        s.u32(GgufValueType.UINT64);
        s.u64(2n ** 62n);
      }),
    );
    await rejects(p, 'GGUF_CORRUPT', /array 'k' declares 4611686018427387904 items/);
  });

  it('deeply nested arrays', async () => {
    const p = await file(
      header(0n, 1n, (s) => {
        s.str('deep');
        s.u32(GgufValueType.ARRAY);
        for (let i = 0; i < 1000; i++) {
          s.u32(GgufValueType.ARRAY);
          s.u64(1n);
          s.u32(GgufValueType.ARRAY);
        }
      }),
    );
    await rejects(p, 'GGUF_CORRUPT', /nest deeper/);
  });

  it('unknown metadata value type', async () => {
    const p = await file(
      header(0n, 1n, (s) => {
        s.str('k');
        s.u32(13);
        s.u32(0);
      }),
    );
    await rejects(p, 'GGUF_CORRUPT', /unknown value type 13/);
  });

  it('duplicate metadata keys', async () => {
    const p = await file(
      header(0n, 2n, (s) => {
        for (let i = 0; i < 2; i++) {
          s.str('dup');
          s.u32(GgufValueType.UINT8);
          s.u8(i);
        }
      }),
    );
    await rejects(p, 'GGUF_DUPLICATE_KEY', /'dup'/);
  });

  it('duplicate tensor names', async () => {
    const good = await valid();
    // Tensor infos hold the name 'ab' once; rename it to 'aa'.
    const idx = good.indexOf('ab', 100);
    const bad = Buffer.from(good);
    bad.write('aa', idx);
    await rejects(await file(bad), 'GGUF_DUPLICATE_TENSOR', /'aa'/);
  });

  function oneTensor(write: (s: ByteSink) => void): Buffer {
    const h = header(1n, 0n, (s) => {
      s.str('t');
      write(s);
    });
    return Buffer.concat([h, Buffer.alloc(4096)]);
  }

  it('unknown ggml type id (removed Q4_2 = 4, and 99)', async () => {
    for (const type of [4, 99]) {
      const p = await file(
        oneTensor((s) => {
          s.u32(1);
          s.i64(32n);
          s.u32(type);
          s.u64(0n);
        }),
      );
      await rejects(p, 'GGUF_UNKNOWN_TYPE', new RegExp(`type id ${type}`));
    }
  });

  it('too many dims, negative dims, rows not a multiple of the block, misaligned offset', async () => {
    const cases: [(s: ByteSink) => void, RegExp][] = [
      [(s) => s.u32(5), /5 dimensions/],
      [
        (s) => {
          s.u32(1);
          s.i64(-1n);
          s.u32(0);
          s.u64(0n);
        },
        /invalid dimension -1/,
      ],
      [
        (s) => {
          s.u32(1);
          s.i64(33n);
          s.u32(GgmlType.Q8_0);
          s.u64(0n);
        },
        /multiple of 32/,
      ],
      [
        (s) => {
          s.u32(1);
          s.i64(4n);
          s.u32(0);
          s.u64(3n);
        },
        /not a multiple of the alignment 32/,
      ],
    ];
    for (const [write, msg] of cases) await rejects(await file(oneTensor(write)), 'GGUF_CORRUPT', msg);
  });

  it('a huge declared tensor is rejected by size, not read', async () => {
    const tensor = (rows: bigint) =>
      oneTensor((s) => {
        s.u32(2);
        s.i64(2n ** 31n);
        s.i64(rows);
        s.u32(GgmlType.F32);
        s.u64(0n);
      });
    await rejects(await file(tensor(2n ** 10n)), 'GGUF_TRUNCATED', /ends at byte 87960930223\d\d/);
    await rejects(await file(tensor(2n ** 20n)), 'GGUF_CORRUPT', /larger than 2\^53 bytes/);
  });

  it('bad general.alignment', async () => {
    for (const v of [gv.u32(48), gv.u32(0), gv.u64(32)]) {
      const p = await file(
        header(0n, 1n, (s) => {
          s.str('general.alignment');
          s.u32(v.type);
          if (v.type === GgufValueType.UINT64) s.u64(32n);
          else s.u32(v.value as number);
        }),
      );
      await rejects(p, 'GGUF_BAD_ALIGNMENT');
    }
  });

  it('random byte corruption yields a FormatError or a valid file, nothing else', async () => {
    const good = await valid();
    let seed = 12345;
    const rnd = (m: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % m;
    };
    const headerLen = good.indexOf('ab', 100) + 40;
    for (let trial = 0; trial < 300; trial++) {
      const bad = Buffer.from(good);
      for (let k = 0; k < 1 + rnd(3); k++) bad[rnd(headerLen)] = rnd(256);
      try {
        const f = await GgufFile.open(await file(bad));
        for (const t of f.tensors) await f.readTensorBytes(t.name);
        await f.close();
      } catch (e) {
        expect(e, `trial ${trial}`).toBeInstanceOf(FormatError);
      }
    }
  });

  it('opens a 4 GiB file instantly without reading its data', async () => {
    const p = join(dir, 'big.gguf');
    await new GgufWriter().addTensor('small', [4], new Float32Array([1, 2, 3, 4])).write(p);
    // Append a 4 GiB tensor to the header by hand, backed by a sparse file.
    const h = header(2n, 0n, (s) => {
      s.str('small');
      s.u32(1);
      s.i64(4n);
      s.u32(0);
      s.u64(0n);
      s.str('huge');
      s.u32(2);
      s.i64(2n ** 16n);
      s.i64(2n ** 14n);
      s.u32(0);
      s.u64(32n);
    });
    const dataOffset = Math.ceil(h.length / 32) * 32;
    const fh = await open(p, 'w');
    await fh.write(h, 0, h.length, 0);
    await fh.write(new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer), 0, 16, dataOffset);
    await fh.close();
    await truncate(p, dataOffset + 32 + 2 ** 32);
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    const f = await GgufFile.open(p);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(500);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 2 ** 20);
    expect(f.requireTensor('huge').byteLength).toBe(2 ** 32);
    expect(Array.from(await f.readTensorF32('small'))).toEqual([1, 2, 3, 4]);
    await f.close();
    await rm(p);
  });
});
