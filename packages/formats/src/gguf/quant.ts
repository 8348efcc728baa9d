/**
 * Tensor encodings we produce and decode in TS: F32, F16, BF16, Q8_0 and Q4_0.
 * Q8_0 / Q4_0 follow ggml's `quantize_row_q8_0_ref` / `quantize_row_q4_0_ref`
 * (ggml/src/ggml-quants.c) operation by operation in f32 (`Math.fround` after every
 * step the C code does in float), so the bytes are identical to ggml's.
 * Data is little-endian on disk; like ggml itself we assume a little-endian host.
 */
import { FormatError } from '@puyu/core';
import { bf16ToF32Array, f16BitsToF32, f16ToF32Array, f32ToBf16Array, f32ToF16Array, f32ToF16Bits } from '../numeric/half.js';
import { GgmlType, ggmlTypeName } from './ggml-type.js';
import { dequantizeQ4_K, dequantizeQ6_K } from './kquant.js';

export const QK8_0 = 32;
export const QK4_0 = 32;
const Q8_0_BLOCK_BYTES = 34; // f16 scale + 32 × int8
const Q4_0_BLOCK_BYTES = 18; // f16 scale + 16 bytes of nibbles

const fround = Math.fround;

function checkBlocks(n: number, qk: number, what: string): number {
  if (n % qk !== 0) {
    throw new FormatError('GGUF_BAD_ROW_SIZE', `${what} needs a multiple of ${qk} values, got ${n}.`);
  }
  return n / qk;
}

/** C `roundf`: halves round away from zero (Math.round would round -2.5 to -2). */
function roundf(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * C's `(int8_t)some_float` as compiled for x86-64: cvttss2si truncates to int32, giving
 * INT32_MIN for NaN, ±Inf and out-of-range values, then the low byte is kept. This only
 * matters when a block's scale is subnormal (1/d overflows to Inf); ggml hits the same path.
 */
function floatToInt8(x: number): number {
  const t = Math.trunc(x);
  const i32 = Number.isFinite(t) && t >= -2147483648 && t <= 2147483647 ? t : -2147483648;
  return (i32 << 24) >> 24;
}

/** Q8_0: per block of 32, d = amax/127, q = round(x/d) as int8. */
export function quantizeQ8_0(src: ArrayLike<number>): Uint8Array {
  const x = src instanceof Float32Array ? src : Float32Array.from(src);
  const nb = checkBlocks(x.length, QK8_0, 'Q8_0 quantization');
  const out = new Uint8Array(nb * Q8_0_BLOCK_BYTES);
  const q = new Int8Array(out.buffer);
  for (let i = 0; i < nb; i++) {
    const base = i * QK8_0;
    let amax = 0;
    for (let j = 0; j < QK8_0; j++) {
      const a = Math.abs(x[base + j]);
      if (a > amax) amax = a;
    }
    const d = fround(amax / 127);
    const id = d !== 0 ? fround(1 / d) : 0;
    const o = i * Q8_0_BLOCK_BYTES;
    const h = f32ToF16Bits(d);
    out[o] = h & 0xff;
    out[o + 1] = h >>> 8;
    if (id !== Number.POSITIVE_INFINITY) {
      // Fast path: |x·id| ≤ 127 (+ rounding), so roundf fits int8 and needs no x86 emulation.
      for (let j = 0; j < QK8_0; j++) {
        const y = fround(x[base + j] * id);
        q[o + 2 + j] = y < 0 ? -Math.floor(0.5 - y) : Math.floor(y + 0.5);
      }
    } else {
      for (let j = 0; j < QK8_0; j++) q[o + 2 + j] = floatToInt8(roundf(fround(x[base + j] * id)));
    }
  }
  return out;
}

export function dequantizeQ8_0(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBlocks(n, QK8_0, 'Q8_0 dequantization');
  checkLength(bytes, nb * Q8_0_BLOCK_BYTES, 'Q8_0');
  const out = new Float32Array(n);
  const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < nb; i++) {
    const o = i * Q8_0_BLOCK_BYTES;
    const d = f16BitsToF32(bytes[o] | (bytes[o + 1] << 8));
    for (let j = 0; j < QK8_0; j++) out[i * QK8_0 + j] = q[o + 2 + j] * d;
  }
  return out;
}

/**
 * Q4_0: per block of 32, d = (the value of largest magnitude, sign kept) / -8,
 * q = min(15, trunc(x/d + 8.5)); element j sits in the low nibble of byte j, element j+16 in its high nibble.
 */
export function quantizeQ4_0(src: ArrayLike<number>): Uint8Array {
  const x = src instanceof Float32Array ? src : Float32Array.from(src);
  const nb = checkBlocks(x.length, QK4_0, 'Q4_0 quantization');
  const out = new Uint8Array(nb * Q4_0_BLOCK_BYTES);
  const half = QK4_0 / 2;
  for (let i = 0; i < nb; i++) {
    const base = i * QK4_0;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK4_0; j++) {
      const v = x[base + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fround(max / -8);
    const id = d !== 0 ? fround(1 / d) : 0;
    const o = i * Q4_0_BLOCK_BYTES;
    const h = f32ToF16Bits(d);
    out[o] = h & 0xff;
    out[o + 1] = h >>> 8;
    const fast = id !== Number.POSITIVE_INFINITY && id !== Number.NEGATIVE_INFINITY;
    for (let j = 0; j < half; j++) {
      const x0 = fround(fround(x[base + j] * id) + 8.5);
      const x1 = fround(fround(x[base + half + j] * id) + 8.5);
      // MIN(15, (int8_t)(x·id + 8.5f)) in a uint8_t; with a finite id, x·id + 8.5 lies in [0.5, 16.5].
      const xi0 = fast ? Math.min(15, x0 | 0) : Math.min(15, floatToInt8(x0)) & 0xff;
      const xi1 = fast ? Math.min(15, x1 | 0) : Math.min(15, floatToInt8(x1)) & 0xff;
      out[o + 2 + j] = (xi0 | (xi1 << 4)) & 0xff;
    }
  }
  return out;
}

export function dequantizeQ4_0(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBlocks(n, QK4_0, 'Q4_0 dequantization');
  checkLength(bytes, nb * Q4_0_BLOCK_BYTES, 'Q4_0');
  const out = new Float32Array(n);
  const half = QK4_0 / 2;
  for (let i = 0; i < nb; i++) {
    const o = i * Q4_0_BLOCK_BYTES;
    const d = f16BitsToF32(bytes[o] | (bytes[o + 1] << 8));
    for (let j = 0; j < half; j++) {
      const b = bytes[o + 2 + j];
      out[i * QK4_0 + j] = ((b & 0x0f) - 8) * d;
      out[i * QK4_0 + half + j] = ((b >>> 4) - 8) * d;
    }
  }
  return out;
}

function checkLength(bytes: Uint8Array, expected: number, what: string): void {
  if (bytes.byteLength !== expected) {
    throw new FormatError(
      'GGUF_BAD_DATA_SIZE',
      `${what} data holds ${bytes.byteLength} bytes but ${expected} were expected for its shape.`,
    );
  }
}

/** Types `encodeTensorData` can produce from f32 values. */
export const ENCODABLE_TYPES: readonly GgmlType[] = [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0];
/** Types `decodeTensorData` can turn back into f32 values. */
export const DECODABLE_TYPES: readonly GgmlType[] = [...ENCODABLE_TYPES, GgmlType.Q4_K, GgmlType.Q6_K];

function asBytes(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** Encodes f32 values as `type` (row layout is the caller's: values are in ggml order). */
export function encodeTensorData(type: GgmlType, values: Float32Array): Uint8Array {
  switch (type) {
    case GgmlType.F32:
      return asBytes(values);
    case GgmlType.F16:
      return asBytes(f32ToF16Array(values));
    case GgmlType.BF16:
      return asBytes(f32ToBf16Array(values));
    case GgmlType.Q8_0:
      return quantizeQ8_0(values);
    case GgmlType.Q4_0:
      return quantizeQ4_0(values);
    default:
      throw new FormatError(
        'GGUF_UNSUPPORTED_QUANT',
        `Cannot encode f32 data as ${ggmlTypeName(type)} in TS (supported: f32, f16, bf16, q8_0, q4_0). Quantize with llama.cpp's llama_model_quantize, or pass raw bytes.`,
      );
  }
}

/** Copies `bytes` into a fresh, aligned buffer so typed-array views over it are legal. */
function aligned(bytes: Uint8Array, elemSize: number): ArrayBuffer {
  if (bytes.byteOffset % elemSize === 0 && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
  return bytes.slice().buffer as ArrayBuffer;
}

/** Decodes `n` elements of `type` back to f32. */
export function decodeTensorData(type: GgmlType, bytes: Uint8Array, n: number): Float32Array {
  switch (type) {
    case GgmlType.F32:
      checkLength(bytes, n * 4, 'F32');
      return new Float32Array(aligned(bytes, 4));
    case GgmlType.F16:
      checkLength(bytes, n * 2, 'F16');
      return f16ToF32Array(new Uint16Array(aligned(bytes, 2)));
    case GgmlType.BF16:
      checkLength(bytes, n * 2, 'BF16');
      return bf16ToF32Array(new Uint16Array(aligned(bytes, 2)));
    case GgmlType.Q8_0:
      return dequantizeQ8_0(bytes, n);
    case GgmlType.Q4_0:
      return dequantizeQ4_0(bytes, n);
    case GgmlType.Q4_K:
      return dequantizeQ4_K(bytes, n);
    case GgmlType.Q6_K:
      return dequantizeQ6_K(bytes, n);
    default:
      throw new FormatError(
        'GGUF_UNSUPPORTED_DEQUANT',
        `Dequantizing ${ggmlTypeName(type)} tensors is not supported (supported: f32, f16, bf16, q8_0, q4_0, q4_K, q6_K); read the raw bytes with readTensorBytes() instead.`,
        { details: { type: ggmlTypeName(type) } },
      );
  }
}
