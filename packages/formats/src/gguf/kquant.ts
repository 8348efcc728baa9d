/**
 * Dequantization of the K-quants llama.cpp's Q4_K_M files are made of (Q4_K, Q6_K),
 * following ggml's `dequantize_row_q4_K` / `dequantize_row_q6_K` (ggml/src/ggml-quants.c)
 * with f32 rounding after every C float operation, so values match ggml bit for bit.
 * Quantizing to K-quants stays with llama.cpp (`llama_model_quantize`).
 */
import { FormatError } from '@puyu/core';
import { f16BitsToF32 } from '../numeric/half.js';

export const QK_K = 256;
const Q4_K_BLOCK_BYTES = 144; // d f16, dmin f16, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles
const Q6_K_BLOCK_BYTES = 210; // 128 bytes low nibbles, 64 bytes high 2-bit pairs, 16 int8 scales, d f16

const fround = Math.fround;

function blocks(bytes: Uint8Array, n: number, blockBytes: number, what: string): number {
  if (n % QK_K !== 0) throw new FormatError('GGUF_BAD_ROW_SIZE', `${what} needs a multiple of ${QK_K} values, got ${n}.`);
  const nb = n / QK_K;
  if (bytes.byteLength !== nb * blockBytes) {
    throw new FormatError('GGUF_BAD_DATA_SIZE', `${what} data holds ${bytes.byteLength} bytes but ${nb * blockBytes} were expected.`);
  }
  return nb;
}

export function dequantizeQ4_K(bytes: Uint8Array, n: number): Float32Array {
  const nb = blocks(bytes, n, Q4_K_BLOCK_BYTES, 'Q4_K dequantization');
  const out = new Float32Array(n);
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * Q4_K_BLOCK_BYTES;
    const d = f16BitsToF32(bytes[b] | (bytes[b + 1] << 8));
    const dmin = f16BitsToF32(bytes[b + 2] | (bytes[b + 3] << 8));
    const sc = b + 4;
    let q = b + 16;
    // Eight sub-blocks of 32 share 6-bit scales and mins packed into 12 bytes (get_scale_min_k4).
    for (let is = 0; is < 8; is += 2) {
      for (let h = 0; h < 2; h++) {
        const j = is + h;
        const s = j < 4 ? bytes[sc + j] & 63 : (bytes[sc + j + 4] & 0xf) | ((bytes[sc + j - 4] >> 6) << 4);
        const m = j < 4 ? bytes[sc + j + 4] & 63 : (bytes[sc + j + 4] >> 4) | ((bytes[sc + j] >> 6) << 4);
        const d1 = fround(d * s);
        const m1 = fround(dmin * m);
        for (let l = 0; l < 32; l++) {
          const nib = h === 0 ? bytes[q + l] & 0xf : bytes[q + l] >> 4;
          out[y++] = fround(d1 * nib) - m1;
        }
      }
      q += 32;
    }
  }
  return out;
}

export function dequantizeQ6_K(bytes: Uint8Array, n: number): Float32Array {
  const nb = blocks(bytes, n, Q6_K_BLOCK_BYTES, 'Q6_K dequantization');
  const out = new Float32Array(n);
  const scales = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < nb; i++) {
    const b = i * Q6_K_BLOCK_BYTES;
    const d = f16BitsToF32(bytes[b + 208] | (bytes[b + 209] << 8));
    let ql = b;
    let qh = b + 128;
    let sc = b + 192;
    let y = i * QK_K;
    for (let half = 0; half < 2; half++) {
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = bytes[qh + l];
        const q1 = ((bytes[ql + l] & 0xf) | ((h & 3) << 4)) - 32;
        const q2 = ((bytes[ql + l + 32] & 0xf) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((bytes[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((bytes[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[y + l] = fround(d * scales[sc + is]) * q1;
        out[y + l + 32] = fround(d * scales[sc + is + 2]) * q2;
        out[y + l + 64] = fround(d * scales[sc + is + 4]) * q3;
        out[y + l + 96] = fround(d * scales[sc + is + 6]) * q4;
      }
      y += 128;
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }
  return out;
}
