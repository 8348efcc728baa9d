import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeGguf } from './describeGguf.js';
import { GgufFile } from './GgufFile.js';
import { GgufWriter } from './GgufWriter.js';
import { GgmlType, tensorByteSize } from './ggml-type.js';
import { decodeTensorData, encodeTensorData } from './quant.js';
import { type GgufMetadata, type GgufValue, GgufValueType, gv } from './types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-gguf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic pseudo-random values (xorshift), so failures reproduce. */
function randn(n: number, seed = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32 - 0.5) * 4;
  }
  return out;
}

function everyTypeMetadata(): GgufMetadata {
  return new Map<string, GgufValue>([
    ['general.architecture', gv.str('llama')],
    ['t.u8', gv.u8(255)],
    ['t.i8', gv.i8(-128)],
    ['t.u16', gv.u16(65535)],
    ['t.i16', gv.i16(-32768)],
    ['t.u32', gv.u32(0xffffffff)],
    ['t.i32', gv.i32(-0x80000000)],
    ['t.f32', gv.f32(Math.fround(2.71))],
    ['t.f64', gv.f64(Math.PI)],
    ['t.bool.true', gv.bool(true)],
    ['t.bool.false', gv.bool(false)],
    ['t.u64.max', gv.u64(2n ** 64n - 1n)],
    ['t.i64.min', gv.i64(-(2n ** 63n))],
    ['t.i64.max', gv.i64(2n ** 63n - 1n)],
    ['t.str.unicode', gv.str('书生·浦语 ✓ 🚀 \u0000 end')],
    ['t.str.empty', gv.str('')],
    ['t.arr.empty', gv.array(GgufValueType.INT32, [])],
    ['t.arr.strings', gv.strings(['a', '', '▁hello', '<0x0A>', '🙂'])],
    ['t.arr.f32', gv.f32s([1.5, -2.25, 0])],
    ['t.arr.i64', gv.array(GgufValueType.INT64, [-(2n ** 63n), 0n, 2n ** 63n - 1n])],
    ['t.arr.bool', gv.array(GgufValueType.BOOL, [true, false, true])],
    [
      't.arr.nested',
      gv.array(GgufValueType.ARRAY, [
        gv.array(GgufValueType.UINT8, [1, 2, 3]),
        gv.strings(['x', 'y']),
        gv.array(GgufValueType.FLOAT64, []),
      ]),
    ],
    [
      't.arr.nested2',
      gv.array(GgufValueType.ARRAY, [gv.array(GgufValueType.ARRAY, [gv.i32s([7, -7])]), gv.array(GgufValueType.ARRAY, [])]),
    ],
    ['t.arr.empty.nested', gv.array(GgufValueType.ARRAY, [])],
  ]);
}

describe('GgufWriter → GgufFile round trip', () => {
  it('keeps every metadata type, value and the insertion order', async () => {
    const path = join(dir, 'meta.gguf');
    const meta = everyTypeMetadata();
    await new GgufWriter().setAll(meta).write(path);
    await using f = await GgufFile.open(path);
    expect(f.version).toBe(3);
    expect([...f.metadata.keys()]).toEqual([...meta.keys()]);
    expect(f.metadata).toEqual(meta);
    expect(f.architecture).toBe('llama');
    expect(f.getNumber('t.u32')).toBe(0xffffffff);
    expect(f.get('t.u64.max')?.type === GgufValueType.UINT64 && f.get('t.u64.max')).toEqual(gv.u64(18446744073709551615n));
    expect(() => f.getNumber('t.u64.max')).toThrow(expect.objectContaining({ code: 'GGUF_BAD_VALUE' }));
    expect(() => f.getString('t.u8')).toThrow(expect.objectContaining({ code: 'GGUF_BAD_VALUE' }));
    expect(f.getBool('t.bool.true')).toBe(true);
    expect(f.getArray('t.arr.nested')).toEqual([[1, 2, 3], ['x', 'y'], []]);
    expect(f.getString('missing')).toBeUndefined();
    expect(f.tensors).toHaveLength(0);
  });

  it('reads a big vocabulary through a tiny read buffer (chunk refills on every item)', async () => {
    const path = join(dir, 'vocab.gguf');
    const tokens = Array.from({ length: 1500 }, (_, i) => `tok_${i}_${'ä'.repeat(i % 7)}`);
    const scores = Array.from({ length: 1500 }, (_, i) => Math.fround(-i / 3));
    await new GgufWriter().set('tokenizer.ggml.tokens', gv.strings(tokens)).set('tokenizer.ggml.scores', gv.f32s(scores)).write(path);
    await using f = await GgufFile.open(path, { chunkSize: 7 });
    expect(f.getArray('tokenizer.ggml.tokens')).toEqual(tokens);
    expect(f.getArray('tokenizer.ggml.scores')).toEqual(scores);
  });

  for (const alignment of [32, 1, 8, 64, 4096]) {
    it(`writes and reads tensors of every writable type with alignment ${alignment}`, async () => {
      const path = join(dir, `tensors-${alignment}.gguf`);
      const w = new GgufWriter({ alignment });
      const cases = [
        { name: 'f32', type: GgmlType.F32, ne: [5, 3] },
        { name: 'f16', type: GgmlType.F16, ne: [7] },
        { name: 'bf16', type: GgmlType.BF16, ne: [3, 2, 2] },
        { name: 'q8_0', type: GgmlType.Q8_0, ne: [64, 3] },
        { name: 'q4_0', type: GgmlType.Q4_0, ne: [32, 2, 1, 2] },
      ];
      const data = cases.map((c, i) =>
        randn(
          c.ne.reduce((a, b) => a * b, 1),
          i + 1,
        ),
      );
      cases.forEach((c, i) => {
        // Half the tensors lazily, to cover both paths.
        w.addTensor(c.name, c.ne, i % 2 ? () => data[i] : data[i], c.type);
      });
      const q6 = new Uint8Array(210 * 2).map((_, i) => (i * 37) & 0xff);
      w.addTensorBytes('raw.q6_k', [256, 2], GgmlType.Q6_K, q6);
      w.addTensorBytes('raw.q5_k', [256], GgmlType.Q5_K, new Uint8Array(176));
      w.addTensorBytes('raw.i32', [3], GgmlType.I32, async () => new Uint8Array(new Int32Array([1, -2, 3]).buffer));
      const res = await w.write(path);
      expect(res.bytes).toBe((await stat(path)).size);

      await using f = await GgufFile.open(path);
      expect(f.alignment).toBe(alignment);
      expect(f.getNumber('general.alignment')).toBe(alignment === 32 ? undefined : alignment);
      expect(f.dataOffset % alignment).toBe(0);
      for (const [i, c] of cases.entries()) {
        const t = f.requireTensor(c.name);
        expect(t.ne).toEqual(c.ne);
        expect(t.type).toBe(c.type);
        expect(t.byteLength).toBe(tensorByteSize(c.type, c.ne));
        expect(t.offset % alignment).toBe(0);
        const want = decodeTensorData(c.type, encodeTensorData(c.type, data[i]), data[i].length);
        expect(await f.readTensorF32(c.name)).toEqual(want);
        expect(await f.readTensorBytes(c.name)).toEqual(encodeTensorData(c.type, data[i]));
      }
      expect(await f.readTensorF32('f32')).toEqual(data[0]);
      expect(f.requireTensor('raw.q6_k').typeName).toBe('q6_K');
      expect(await f.readTensorBytes('raw.q6_k')).toEqual(q6);
      expect(Array.from(new Int32Array((await f.readTensorBytes('raw.i32')).buffer))).toEqual([1, -2, 3]);
      await expect(f.readTensorF32('raw.q5_k')).rejects.toMatchObject({
        code: 'GGUF_UNSUPPORTED_DEQUANT',
        message: expect.stringContaining('q5_K'),
      });
      await expect(f.readTensorBytes('nope')).rejects.toMatchObject({ code: 'GGUF_TENSOR_NOT_FOUND' });
    });
  }

  it('rewrites a file byte-identically through copyFrom', async () => {
    const a = join(dir, 'copy-a.gguf');
    const b = join(dir, 'copy-b.gguf');
    await new GgufWriter({ alignment: 64 })
      .setAll(everyTypeMetadata())
      .addTensor('w', [32, 4], randn(128), GgmlType.Q8_0)
      .addTensor('v', [3], randn(3))
      .write(a);
    {
      await using f = await GgufFile.open(a);
      await new GgufWriter({ alignment: 64 }).copyFrom(f).write(b);
    }
    expect(await readFile(b)).toEqual(await readFile(a));
  });

  it('writes atomically: a failing tensor producer leaves no file and no temp file behind', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const path = join(sub, 'model.gguf');
    const w = new GgufWriter().addTensor('ok', [4], randn(4)).addTensor('bad', [4], () => {
      throw new Error('producer exploded');
    });
    await expect(w.write(path)).rejects.toMatchObject({ code: 'GGUF_WRITE_FAILED' });
    expect(await readdir(sub)).toEqual([]);
    const short = new GgufWriter().addTensorBytes('x', [8], GgmlType.F32, () => new Uint8Array(4));
    await expect(short.write(path)).rejects.toMatchObject({ code: 'GGUF_BAD_TENSOR' });
    expect(await readdir(sub)).toEqual([]);
  });

  it('validates tensors and values when they are added', () => {
    const w = new GgufWriter().addTensor('a', [4], randn(4));
    expect(() => w.addTensor('a', [4], randn(4))).toThrow(expect.objectContaining({ code: 'GGUF_DUPLICATE_TENSOR' }));
    expect(() => w.addTensor('b', [4], randn(3))).toThrow(expect.objectContaining({ code: 'GGUF_BAD_TENSOR' }));
    expect(() => w.addTensor('c', [33], randn(33), GgmlType.Q8_0)).toThrow(expect.objectContaining({ code: 'GGUF_BAD_ROW_SIZE' }));
    expect(() => w.addTensor('d', [256], randn(256), GgmlType.Q4_K)).toThrow(expect.objectContaining({ code: 'GGUF_UNSUPPORTED_QUANT' }));
    expect(() => w.addTensor('x'.repeat(64), [1], randn(1))).toThrow(expect.objectContaining({ code: 'GGUF_BAD_TENSOR' }));
    expect(() => w.addTensor('e', [1, 1, 1, 1, 1], randn(1))).toThrow(expect.objectContaining({ code: 'GGUF_BAD_TENSOR' }));
    expect(() => w.addTensorBytes('f', [256], GgmlType.Q4_K, new Uint8Array(143))).toThrow(
      expect.objectContaining({ code: 'GGUF_BAD_TENSOR' }),
    );
    expect(() => new GgufWriter({ alignment: 48 })).toThrow(expect.objectContaining({ code: 'GGUF_BAD_ALIGNMENT' }));
    expect(() => w.set('general.alignment', gv.u64(64))).toThrow(expect.objectContaining({ code: 'GGUF_BAD_ALIGNMENT' }));
  });

  it('rejects out-of-range metadata values when writing', async () => {
    for (const v of [gv.u8(256), gv.i8(1.5), gv.u32(-1), gv.u64(-1n), gv.i64(2n ** 63n), gv.array(GgufValueType.UINT16, [1, 70000])]) {
      await expect(new GgufWriter().set('k', v).write(join(dir, 'bad-value.gguf'))).rejects.toMatchObject({ code: 'GGUF_BAD_VALUE' });
    }
  });

  it('describes a file', async () => {
    const path = join(dir, 'describe.gguf');
    await new GgufWriter()
      .set('general.architecture', gv.str('internlm2'))
      .set('tokenizer.ggml.tokens', gv.strings(Array.from({ length: 20 }, (_, i) => `t${i}`)))
      .addTensor('token_embd.weight', [64, 4], randn(256), GgmlType.Q8_0)
      .write(path);
    await using f = await GgufFile.open(path);
    const text = describeGguf(f);
    expect(text).toContain('GGUF v3');
    expect(text).toContain('architecture: internlm2');
    expect(text).toMatch(/tokenizer\.ggml\.tokens\s+arr\[str,20\]\s+\["t0", "t1", .*… 12 more\]/);
    expect(text).toMatch(/token_embd\.weight\s+q8_0\s+\[64, 4\]/);
    expect(text).toContain('8.50 bits/weight');
  });

  it('refuses reads after close', async () => {
    const path = join(dir, 'closed.gguf');
    await new GgufWriter().addTensor('a', [2], randn(2)).write(path);
    const f = await GgufFile.open(path);
    await f.close();
    await f.close();
    await expect(f.readTensorBytes('a')).rejects.toMatchObject({ code: 'GGUF_CLOSED' });
  });
});
