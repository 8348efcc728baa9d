import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { f16BitsToF32 } from '../numeric/half.js';
import { GgmlType } from './ggml-type.js';
import { decodeTensorData, dequantizeQ4_0, dequantizeQ8_0, encodeTensorData, quantizeQ4_0, quantizeQ8_0 } from './quant.js';

/** Inputs and ggml's own output bytes, from scripts/make-quant-golden.ts (ggml_quantize_chunk). */
function golden(): { x: Float32Array; q8: Uint8Array; q4: Uint8Array } {
  const buf = readFileSync(join(import.meta.dirname, 'fixtures/quant-golden.bin'));
  const n = buf.readUInt32LE(0);
  const x = new Float32Array(buf.buffer.slice(buf.byteOffset + 4, buf.byteOffset + 4 + n * 4));
  const q8Start = 4 + n * 4;
  const q4Start = q8Start + (n / 32) * 34;
  return { x, q8: buf.subarray(q8Start, q4Start), q4: buf.subarray(q4Start, q4Start + (n / 32) * 18) };
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('Q8_0 / Q4_0 against ggml golden bytes', () => {
  const g = golden();
  it('Q8_0 is bit-exact', () => {
    expect(firstDiff(quantizeQ8_0(g.x), g.q8)).toBe(-1);
  });
  it('Q4_0 is bit-exact (incl. blocks with subnormal scales)', () => {
    expect(firstDiff(quantizeQ4_0(g.x), g.q4)).toBe(-1);
  });
});

describe('quantization by hand', () => {
  it('Q8_0 of 0..31: d = 31/127, values round half away from zero', () => {
    const x = Float32Array.from({ length: 32 }, (_, i) => i);
    const q = quantizeQ8_0(x);
    expect(q.length).toBe(34);
    const d = f16BitsToF32(q[0] | (q[1] << 8));
    expect(d).toBeCloseTo(31 / 127, 3);
    const qs = new Int8Array(q.buffer, 2, 32);
    expect(qs[31]).toBe(127);
    expect(qs[0]).toBe(0);
    expect(Array.from(qs)).toEqual(Array.from(x, (v) => Math.round(v * (127 / 31))));
  });

  it('Q4_0 uses the signed max: d = max / -8, nibble of max is 0', () => {
    const x = new Float32Array(32);
    x[0] = -4;
    x[16] = 2;
    x[5] = 1;
    const q = quantizeQ4_0(x);
    expect(f16BitsToF32(q[0] | (q[1] << 8))).toBe(0.5); // -4 / -8
    expect(q[2] & 0x0f).toBe(0); // -4/0.5 + 8.5 = 0.5 → 0
    expect(q[2] >> 4).toBe(12); // 2/0.5 + 8.5 = 12.5 → 12
    expect(q[7] & 0x0f).toBe(10); // 1/0.5 + 8.5 = 10.5 → 10
    expect(q[3]).toBe(0x88); // zeros → 8 in both nibbles
    const back = dequantizeQ4_0(q, 32);
    expect([back[0], back[16], back[5], back[1]]).toEqual([-4, 2, 1, 0]);
  });

  it('an all-zero block stays zero (as in ggml, Q4_0 gives -0: its scale is 0 / -8)', () => {
    const z = new Float32Array(64);
    expect(dequantizeQ8_0(quantizeQ8_0(z), 64).every((v) => v === 0)).toBe(true);
    expect(dequantizeQ4_0(quantizeQ4_0(z), 64).every((v) => v === 0)).toBe(true);
  });

  it('round-trip error is within half a step plus the f16 rounding of the scale (Q4_0: one step, the side opposite the max clips at +7)', () => {
    const x = Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 32)));
    for (const [q, dq, steps] of [
      [quantizeQ8_0, dequantizeQ8_0, 127],
      [quantizeQ4_0, dequantizeQ4_0, 8],
    ] as const) {
      const y = dq(q(x), x.length);
      for (let b = 0; b < x.length / 32; b++) {
        const blk = x.subarray(b * 32, b * 32 + 32);
        const amax = Math.max(...Array.from(blk, Math.abs));
        const step = amax / steps;
        for (let j = 0; j < 32; j++) expect(Math.abs(y[b * 32 + j] - blk[j])).toBeLessThanOrEqual(step * (steps === 8 ? 1.01 : 0.57));
      }
    }
  });

  it('rejects lengths that are not whole blocks and unsupported types', () => {
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(expect.objectContaining({ code: 'GGUF_BAD_ROW_SIZE' }));
    expect(() => dequantizeQ4_0(new Uint8Array(17), 32)).toThrow(expect.objectContaining({ code: 'GGUF_BAD_DATA_SIZE' }));
    expect(() => encodeTensorData(GgmlType.Q4_K, new Float32Array(256))).toThrow(
      expect.objectContaining({ code: 'GGUF_UNSUPPORTED_QUANT' }),
    );
    expect(() => decodeTensorData(GgmlType.IQ2_XXS, new Uint8Array(66), 256)).toThrow(
      expect.objectContaining({ code: 'GGUF_UNSUPPORTED_DEQUANT', message: expect.stringContaining('iq2_xxs') }),
    );
  });

  it('f16 / bf16 encode and decode through the shared half conversions', () => {
    const x = new Float32Array([0, -0, 1, -2.5, 65504, 1e-8, Number.POSITIVE_INFINITY, 3.1409]);
    const h = decodeTensorData(GgmlType.F16, encodeTensorData(GgmlType.F16, x), x.length);
    expect(Array.from(h)).toEqual([0, -0, 1, -2.5, 65504, 0, Number.POSITIVE_INFINITY, 3.140625]);
    const b = decodeTensorData(GgmlType.BF16, encodeTensorData(GgmlType.BF16, x), x.length);
    expect(b[4]).toBe(65536);
    expect(b[7]).toBe(3.140625);
    // Unaligned input bytes decode too (GGUF data is read into arbitrary buffers).
    const raw = new Uint8Array(9);
    raw.set(new Uint8Array(new Float32Array([1.5, -7]).buffer), 1);
    expect(Array.from(decodeTensorData(GgmlType.F32, raw.subarray(1), 2))).toEqual([1.5, -7]);
  });
});
