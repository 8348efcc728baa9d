/**
 * GGUF throughput on this machine: TS quantization, streaming write, header open, tensor reads.
 *
 *   npx tsx scripts/bench-gguf.ts
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgufFile } from '../packages/formats/src/gguf/GgufFile.js';
import { GgufWriter } from '../packages/formats/src/gguf/GgufWriter.js';
import { GgmlType } from '../packages/formats/src/gguf/ggml-type.js';
import { quantizeQ4_0, quantizeQ8_0 } from '../packages/formats/src/gguf/quant.js';
import { GgufValueType, gv } from '../packages/formats/src/gguf/types.js';

const V = 92544; // InternLM2 vocabulary size
const n = 4096 * 4096;
const x = new Float32Array(n);
for (let i = 0; i < n; i++) x[i] = Math.sin(i) * 0.02;

let t = performance.now();
quantizeQ8_0(x);
const tq8 = performance.now() - t;
t = performance.now();
quantizeQ4_0(x);
const tq4 = performance.now() - t;
console.log(`quantize 4096x4096 f32: Q8_0 ${(n / tq8 / 1e3).toFixed(1)} M values/s, Q4_0 ${(n / tq4 / 1e3).toFixed(1)} M values/s`);

const path = join(tmpdir(), `puyu-bench-${process.pid}.gguf`);
const w = new GgufWriter()
  .set('general.architecture', gv.str('internlm2'))
  .set('tokenizer.ggml.tokens', gv.strings(Array.from({ length: V }, (_, i) => `▁tok${i}`)))
  .set('tokenizer.ggml.scores', gv.f32s(new Float32Array(V)))
  .set('tokenizer.ggml.token_type', gv.array(GgufValueType.INT32, new Array(V).fill(1)));
for (let i = 0; i < 8; i++) w.addTensor(`blk.${i}.w`, [4096, 4096], x, i % 2 ? GgmlType.Q8_0 : GgmlType.F32);
t = performance.now();
const r = await w.write(path);
const tw = (performance.now() - t) / 1000;
console.log(
  `write ${(r.bytes / 2 ** 20).toFixed(0)} MiB (4 f32 + 4 q8_0 tensors, ${V}-token vocab): ${tw.toFixed(2)} s = ${(r.bytes / 2 ** 20 / tw).toFixed(0)} MiB/s incl. quantization and fsync`,
);
for (let i = 0; i < 3; i++) {
  t = performance.now();
  const f = await GgufFile.open(path);
  console.log(`open #${i + 1} (header with ${V}-token vocab): ${(performance.now() - t).toFixed(0)} ms`);
  await f.close();
}
const f = await GgufFile.open(path);
t = performance.now();
await f.readTensorF32('blk.0.w');
const tr = performance.now() - t;
t = performance.now();
await f.readTensorF32('blk.1.w');
console.log(`readTensorF32: 64 MiB f32 ${tr.toFixed(0)} ms; 16.8M-value q8_0 ${(performance.now() - t).toFixed(0)} ms`);
await f.close();
await rm(path);
