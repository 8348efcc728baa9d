/**
 * Writes packages/formats/src/gguf/fixtures/quant-golden.bin: f32 inputs and the Q8_0 / Q4_0
 * bytes ggml's own `ggml_quantize_chunk` makes from them (libggml-base through koffi), so the
 * default suite can check our quantizers bit for bit without loading a native library.
 *
 *   npx tsx scripts/make-quant-golden.ts
 *
 * Layout: u32 n, then n f32 inputs, then n/32·34 bytes of Q8_0, then n/32·18 bytes of Q4_0.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules/@node-llama-cpp/linux-x64/bins/linux-x64');
const OUT = join(ROOT, 'packages/formats/src/gguf/fixtures/quant-golden.bin');
const N = 4096;

const base = koffi.load(join(BIN, 'libggml-base.so'));
const quantizeChunk = base.func(
  'size_t ggml_quantize_chunk(int type, const float *src, _Out_ uint8_t *dst, int64_t start, int64_t nrows, int64_t n_per_row, const float *imatrix)',
);

/** Blocks of different characters: plain, large, tiny, exact halves, tied maxima, zeros, subnormal, near-ties, NaN-free. */
function inputs(): Float32Array {
  let s = 2024;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const mode = Math.floor(i / 32) % 9;
    const j = i % 32;
    const r = rnd() * 2 - 1;
    out[i] = [
      r,
      r * 3e4,
      r * 1e-7,
      Math.round(r * 16) / 2,
      j === 3 ? -2 : j === 9 ? 2 : r,
      0,
      r * 1e-39,
      (Math.round(r * 127) * 5) / 127,
      r * 0.02,
    ][mode];
  }
  return out;
}

const x = inputs();
const q8 = new Uint8Array((N / 32) * 34);
const q4 = new Uint8Array((N / 32) * 18);
quantizeChunk(8, x, q8, 0, N / 256, 256, null);
quantizeChunk(2, x, q4, 0, N / 256, 256, null);
const head = new Uint8Array(new Uint32Array([N]).buffer);
await writeFile(OUT, Buffer.concat([head, new Uint8Array(x.buffer), q8, q4]));
console.log(`wrote ${OUT}`);
