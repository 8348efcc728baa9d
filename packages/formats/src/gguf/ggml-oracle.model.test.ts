/**
 * Checks our GGUF code against ggml itself, loaded from node-llama-cpp's shared
 * libraries through koffi: type traits, Q8_0/Q4_0 bytes from `ggml_quantize_chunk`,
 * ggml's gguf reader on files we write, and byte equality with ggml's gguf writer.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgufFile } from './GgufFile.js';
import { GgufWriter } from './GgufWriter.js';
import { GGML_TYPES, GgmlType, ggmlBlockSize, ggmlTypeName, ggmlTypeSize } from './ggml-type.js';
import { quantizeQ4_0, quantizeQ8_0 } from './quant.js';
import { GgufValueType, gv } from './types.js';

const BIN = join(import.meta.dirname, '../../../../node_modules/@node-llama-cpp/linux-x64/bins/linux-x64');
const base = koffi.load(join(BIN, 'libggml-base.so'));
const ggml = {
  typeName: base.func('const char *ggml_type_name(int type)'),
  blockSize: base.func('int64_t ggml_blck_size(int type)'),
  typeSize: base.func('size_t ggml_type_size(int type)'),
  quantizeChunk: base.func(
    'size_t ggml_quantize_chunk(int type, const float *src, _Out_ uint8_t *dst, int64_t start, int64_t nrows, int64_t n_per_row, const float *imatrix)',
  ),
};
// Registered by name for the signatures below (passed by value).
koffi.struct('gguf_init_params_t', { no_alloc: 'bool', ctx: 'void *' });
const gguf = {
  initFromFile: base.func('void *gguf_init_from_file(const char *fname, gguf_init_params_t params)'),
  free: base.func('void gguf_free(void *ctx)'),
  nKv: base.func('int64_t gguf_get_n_kv(void *ctx)'),
  key: base.func('const char *gguf_get_key(void *ctx, int64_t id)'),
  kvType: base.func('int gguf_get_kv_type(void *ctx, int64_t id)'),
  arrN: base.func('size_t gguf_get_arr_n(void *ctx, int64_t id)'),
  valStr: base.func('const char *gguf_get_val_str(void *ctx, int64_t id)'),
  valU64: base.func('uint64_t gguf_get_val_u64(void *ctx, int64_t id)'),
  alignment: base.func('size_t gguf_get_alignment(void *ctx)'),
  dataOffset: base.func('size_t gguf_get_data_offset(void *ctx)'),
  nTensors: base.func('int64_t gguf_get_n_tensors(void *ctx)'),
  tensorName: base.func('const char *gguf_get_tensor_name(void *ctx, int64_t id)'),
  tensorOffset: base.func('size_t gguf_get_tensor_offset(void *ctx, int64_t id)'),
  tensorType: base.func('int gguf_get_tensor_type(void *ctx, int64_t id)'),
  tensorSize: base.func('size_t gguf_get_tensor_size(void *ctx, int64_t id)'),
  initEmpty: base.func('void *gguf_init_empty()'),
  setStr: base.func('void gguf_set_val_str(void *ctx, const char *key, const char *val)'),
  setU32: base.func('void gguf_set_val_u32(void *ctx, const char *key, uint32_t val)'),
  setI64: base.func('void gguf_set_val_i64(void *ctx, const char *key, int64_t val)'),
  setF32: base.func('void gguf_set_val_f32(void *ctx, const char *key, float val)'),
  setBool: base.func('void gguf_set_val_bool(void *ctx, const char *key, bool val)'),
  setArrStr: base.func('void gguf_set_arr_str(void *ctx, const char *key, const char **data, size_t n)'),
  setArrData: base.func('void gguf_set_arr_data(void *ctx, const char *key, int type, const void *data, size_t n)'),
  writeToFile: base.func('bool gguf_write_to_file(void *ctx, const char *fname, bool only_meta)'),
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-gguf-oracle-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ggmlQuantize(type: GgmlType, src: Float32Array, nPerRow: number): Uint8Array {
  const nrows = src.length / nPerRow;
  const dst = new Uint8Array((src.length / ggmlBlockSize(type)) * ggmlTypeSize(type));
  const written = Number(ggml.quantizeChunk(type, src, dst, 0, nrows, nPerRow, null));
  expect(written).toBe(dst.length);
  return dst;
}

/** Values that stress rounding: ties at .5 after scaling, equal ±max, zeros, tiny and huge magnitudes, subnormal scales. */
function hardValues(n: number, seed: number): Float32Array {
  let s = seed;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out = new Float32Array(n);
  for (let b = 0; b < n / 32; b++) {
    const mode = b % 8;
    for (let j = 0; j < 32; j++) {
      const i = b * 32 + j;
      const r = rnd() * 2 - 1;
      if (mode === 0) out[i] = r;
      else if (mode === 1) out[i] = r * 1e4;
      else if (mode === 2) out[i] = r * 1e-6;
      else if (mode === 3)
        out[i] = Math.round(r * 16) / 2; // many exact halves
      else if (mode === 4)
        out[i] = j === 0 ? -1 : j === 1 ? 1 : r; // ties for the max
      else if (mode === 5) out[i] = 0;
      else if (mode === 6)
        out[i] = r * 1e-40; // subnormal f32 values
      else out[i] = (Math.round(r * 127) * 3) / 127; // lands near quantization ties
    }
  }
  return out;
}

describe('ggml type traits', () => {
  it('match libggml for every type', () => {
    for (const t of GGML_TYPES) {
      expect([ggmlTypeName(t), ggmlBlockSize(t), ggmlTypeSize(t)], `type ${t}`).toEqual([
        ggml.typeName(t),
        Number(ggml.blockSize(t)),
        Number(ggml.typeSize(t)),
      ]);
    }
  });
});

describe('quantization is bit-exact with ggml_quantize_chunk', () => {
  for (const [type, ours] of [
    [GgmlType.Q8_0, quantizeQ8_0],
    [GgmlType.Q4_0, quantizeQ4_0],
  ] as const) {
    it(`${ggmlTypeName(type)} on 64k hard values and 64k gaussian-like values`, () => {
      const a = hardValues(65536, 7);
      expect(Buffer.from(ours(a)).equals(Buffer.from(ggmlQuantize(type, a, 256)))).toBe(true);
      const b = new Float32Array(65536);
      let s = 99;
      for (let i = 0; i < b.length; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        const u = (s >>> 8) / 2 ** 24;
        b[i] = Math.log(u / (1 - u + 1e-9) + 1e-9) * 0.02; // logistic, weight-like scale
      }
      expect(Buffer.from(ours(b)).equals(Buffer.from(ggmlQuantize(type, b, 1024)))).toBe(true);
    });
  }
});

describe("ggml's gguf code agrees with ours", () => {
  it('ggml reads a file we wrote: keys, types, alignment, offsets, sizes', async () => {
    const path = join(dir, 'ours.gguf');
    const w = new GgufWriter({ alignment: 64 })
      .set('general.architecture', gv.str('internlm2'))
      .set('general.name', gv.str('书生 tiny'))
      .set('x.u64', gv.u64(2n ** 64n - 1n))
      .set('tokenizer.ggml.tokens', gv.strings(['<unk>', '<s>', '</s>', '▁a']))
      .set('x.f32s', gv.f32s([1, 2]))
      .addTensor('a.weight', [64, 3], hardValues(192, 1), GgmlType.Q8_0)
      .addTensor('b.weight', [32, 2], hardValues(64, 2), GgmlType.Q4_0)
      .addTensor('c.weight', [5], hardValues(32, 3).subarray(0, 5), GgmlType.F16)
      .addTensor('d.weight', [3, 1, 2], hardValues(32, 4).subarray(0, 6), GgmlType.BF16)
      .addTensor('e.weight', [7], hardValues(32, 5).subarray(0, 7));
    await w.write(path);
    const ctx = gguf.initFromFile(path, { no_alloc: true, ctx: null });
    expect(ctx).not.toBeNull();
    try {
      await using f = await GgufFile.open(path);
      expect(Number(gguf.nKv(ctx))).toBe(f.metadata.size);
      [...f.metadata.entries()].forEach(([k, v], i) => {
        expect(gguf.key(ctx, i)).toBe(k);
        expect(gguf.kvType(ctx, i)).toBe(v.type);
        if (v.type === GgufValueType.ARRAY) expect(Number(gguf.arrN(ctx, i))).toBe(v.items.length);
      });
      const keys = [...f.metadata.keys()];
      expect(gguf.valStr(ctx, keys.indexOf('general.name'))).toBe('书生 tiny');
      expect(BigInt(gguf.valU64(ctx, keys.indexOf('x.u64')))).toBe(2n ** 64n - 1n);
      expect(Number(gguf.alignment(ctx))).toBe(64);
      expect(Number(gguf.dataOffset(ctx))).toBe(f.dataOffset);
      expect(Number(gguf.nTensors(ctx))).toBe(f.tensors.length);
      f.tensors.forEach((t, i) => {
        expect(gguf.tensorName(ctx, i)).toBe(t.name);
        expect(gguf.tensorType(ctx, i)).toBe(t.type);
        expect(Number(gguf.tensorOffset(ctx, i))).toBe(t.relativeOffset);
        expect(Number(gguf.tensorSize(ctx, i))).toBe(t.byteLength);
      });
    } finally {
      gguf.free(ctx);
    }
  });

  it("our metadata-only file is byte-identical to ggml's gguf writer", async () => {
    const ctx = gguf.initEmpty();
    const tokens = ['<unk>', '▁hello', '你好', ''];
    const ids = new Int32Array([3, -1, 2 ** 31 - 1]);
    gguf.setStr(ctx, 'general.architecture', 'llama');
    gguf.setU32(ctx, 'llama.context_length', 4096);
    gguf.setI64(ctx, 'x.i64', -(2n ** 63n));
    gguf.setF32(ctx, 'x.eps', 1e-5);
    gguf.setBool(ctx, 'x.flag', true);
    gguf.setArrStr(ctx, 'tokenizer.ggml.tokens', tokens, tokens.length);
    gguf.setArrData(ctx, 'tokenizer.ggml.token_type', GgufValueType.INT32, ids, ids.length);
    const theirs = join(dir, 'theirs.gguf');
    expect(gguf.writeToFile(ctx, theirs, false)).toBe(true);
    gguf.free(ctx);

    const ours = join(dir, 'ours-meta.gguf');
    await new GgufWriter()
      .set('general.architecture', gv.str('llama'))
      .set('llama.context_length', gv.u32(4096))
      .set('x.i64', gv.i64(-(2n ** 63n)))
      .set('x.eps', gv.f32(1e-5))
      .set('x.flag', gv.bool(true))
      .set('tokenizer.ggml.tokens', gv.strings(tokens))
      .set('tokenizer.ggml.token_type', gv.i32s(ids))
      .write(ours);
    // ggml pads the header only when there are tensors; with none, compare up to its length.
    const a = await readFile(theirs);
    const b = await readFile(ours);
    expect(b.subarray(0, a.length).equals(a)).toBe(true);
    expect(b.subarray(a.length).every((x) => x === 0)).toBe(true);
  });
});
