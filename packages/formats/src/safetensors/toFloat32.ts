/**
 * Raw little-endian tensor bytes → Float32Array, for every dtype that has a meaningful
 * real value. F16/BF16 go through the shared bit-exact converters in numeric/half.ts.
 */
import { FormatError } from '@puyu/core';
import { bf16ToF32Array, f16BitsToF32 } from '../numeric/half.js';
import { DTYPE_BYTES, type SafetensorsDtype } from './dtype.js';

// Typed-array views use platform byte order; safetensors is little-endian. Every Node
// platform we ship on is little-endian, so refuse loudly rather than silently byte-swap wrong.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function isLittleEndianHost(): boolean {
  return LITTLE_ENDIAN;
}

/** A view of `bytes` typed as `T`, copying only when the offset is not element-aligned. */
function view<T>(bytes: Uint8Array, size: number, make: (buf: ArrayBuffer, off: number, len: number) => T): T {
  const len = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) return make(bytes.buffer as ArrayBuffer, bytes.byteOffset, len);
  return make(bytes.slice().buffer as ArrayBuffer, 0, len);
}

/**
 * f16 bits → f32 bits in integer arithmetic only. Going through a JS number (as a float
 * decoder must) lets V8's optimized code quiet signaling NaNs, so the result would depend
 * on JIT state; torch keeps the payload (0x7c01 → 0x7f802000), and so does this.
 */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0; // rebias 15 → 127
  if (mant === 0) return sign >>> 0;
  let e = 1; // subnormal: normalize so the leading 1 becomes the implicit bit
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | ((e + 112) << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

let F16_TABLE: Uint32Array | undefined;
/** All 65,536 f16 patterns as f32 bits: decoding is then one integer lookup per element. */
function f16Table(): Uint32Array {
  if (F16_TABLE === undefined) {
    F16_TABLE = new Uint32Array(65536);
    for (let i = 0; i < 65536; i++) F16_TABLE[i] = f16BitsToF32Bits(i);
  }
  return F16_TABLE;
}

/** OCP FP8 E4M3 ("fn" variant: no infinities, S.1111.111 is NaN), bias 7, as torch.float8_e4m3fn. */
export function f8e4m3ToF32(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >>> 3) & 0xf;
  const mant = b & 0x7;
  if (exp === 0xf && mant === 0x7) return Number.NaN;
  if (exp === 0) return sign * mant * 2 ** -9; // subnormal: mant/8 · 2^(1-7)
  return sign * (1 + mant / 8) * 2 ** (exp - 7);
}

/**
 * Converts raw tensor bytes of `dtype` to f32 values. F64 and 64-bit integers round
 * to the nearest f32 (as `tensor.float()` does); BOOL gives 0/1.
 */
export function toFloat32(dtype: SafetensorsDtype, bytes: Uint8Array, name = '(tensor)'): Float32Array {
  if (!LITTLE_ENDIAN) {
    throw new FormatError(
      'SAFETENSORS_BIG_ENDIAN_HOST',
      'safetensors data is little-endian and this host is big-endian; Puyu does not byte-swap. Use a little-endian machine.',
    );
  }
  const size = DTYPE_BYTES[dtype];
  if (bytes.byteLength % size !== 0) {
    throw new FormatError(
      'SAFETENSORS_SIZE_MISMATCH',
      `tensor "${name}": ${bytes.byteLength} bytes is not a whole number of ${dtype} elements.`,
    );
  }
  switch (dtype) {
    case 'F32':
      return view(bytes, 4, (b, o, n) => new Float32Array(b, o, n)).slice();
    case 'F16': {
      const src = view(bytes, 2, (b, o, n) => new Uint16Array(b, o, n));
      // Integers all the way: a NaN moved through a JS number may have its payload rewritten.
      const table = f16Table();
      const out = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
      return new Float32Array(out.buffer);
    }
    case 'BF16':
      return bf16ToF32Array(view(bytes, 2, (b, o, n) => new Uint16Array(b, o, n)));
    case 'F64':
      return Float32Array.from(view(bytes, 8, (b, o, n) => new Float64Array(b, o, n)));
    case 'I8':
      return Float32Array.from(view(bytes, 1, (b, o, n) => new Int8Array(b, o, n)));
    case 'U8':
      return Float32Array.from(bytes);
    case 'BOOL':
      return Float32Array.from(bytes, (b) => (b ? 1 : 0));
    case 'I16':
      return Float32Array.from(view(bytes, 2, (b, o, n) => new Int16Array(b, o, n)));
    case 'U16':
      return Float32Array.from(view(bytes, 2, (b, o, n) => new Uint16Array(b, o, n)));
    case 'I32':
      return Float32Array.from(view(bytes, 4, (b, o, n) => new Int32Array(b, o, n)));
    case 'U32':
      return Float32Array.from(view(bytes, 4, (b, o, n) => new Uint32Array(b, o, n)));
    case 'I64':
      return Float32Array.from(
        view(bytes, 8, (b, o, n) => new BigInt64Array(b, o, n)),
        Number,
      );
    case 'U64':
      return Float32Array.from(
        view(bytes, 8, (b, o, n) => new BigUint64Array(b, o, n)),
        Number,
      );
    case 'F8_E5M2': // the top byte of an f16
      return Float32Array.from(bytes, (b) => f16BitsToF32(b << 8));
    case 'F8_E4M3':
      return Float32Array.from(bytes, f8e4m3ToF32);
    default:
      throw new FormatError(
        'SAFETENSORS_UNSUPPORTED_DTYPE',
        `tensor "${name}" is ${String(dtype)}, which Puyu cannot convert to f32; read it with readRaw() instead.`,
        { details: { tensor: name, dtype } },
      );
  }
}
