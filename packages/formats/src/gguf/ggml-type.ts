import { FormatError } from '@puyu/core';

/**
 * ggml tensor types with ggml's own numeric ids (ggml/include/ggml.h, `enum ggml_type`).
 * Ids 4, 5, 31–33 and 36–38 were removed from ggml and can never appear in a valid file.
 */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
  NVFP4 = 40,
  Q1_0 = 41,
  Q2_0 = 42,
}

export interface GgmlTypeTraits {
  /** ggml's lower-case name (`ggml_type_name`), e.g. `q4_K`. */
  readonly name: string;
  /** Elements per block (`ggml_blck_size`). */
  readonly blockSize: number;
  /** Bytes per block (`ggml_type_size`). */
  readonly typeSize: number;
}

// Every row below was checked against the shipped libggml-base.so (ggml_type_name,
// ggml_blck_size, ggml_type_size); ggml-type.model.test.ts re-checks it on each run.
const TRAITS: ReadonlyMap<GgmlType, GgmlTypeTraits> = new Map<GgmlType, GgmlTypeTraits>([
  [GgmlType.F32, { name: 'f32', blockSize: 1, typeSize: 4 }],
  [GgmlType.F16, { name: 'f16', blockSize: 1, typeSize: 2 }],
  [GgmlType.Q4_0, { name: 'q4_0', blockSize: 32, typeSize: 18 }],
  [GgmlType.Q4_1, { name: 'q4_1', blockSize: 32, typeSize: 20 }],
  [GgmlType.Q5_0, { name: 'q5_0', blockSize: 32, typeSize: 22 }],
  [GgmlType.Q5_1, { name: 'q5_1', blockSize: 32, typeSize: 24 }],
  [GgmlType.Q8_0, { name: 'q8_0', blockSize: 32, typeSize: 34 }],
  [GgmlType.Q8_1, { name: 'q8_1', blockSize: 32, typeSize: 36 }],
  [GgmlType.Q2_K, { name: 'q2_K', blockSize: 256, typeSize: 84 }],
  [GgmlType.Q3_K, { name: 'q3_K', blockSize: 256, typeSize: 110 }],
  [GgmlType.Q4_K, { name: 'q4_K', blockSize: 256, typeSize: 144 }],
  [GgmlType.Q5_K, { name: 'q5_K', blockSize: 256, typeSize: 176 }],
  [GgmlType.Q6_K, { name: 'q6_K', blockSize: 256, typeSize: 210 }],
  [GgmlType.Q8_K, { name: 'q8_K', blockSize: 256, typeSize: 292 }],
  [GgmlType.IQ2_XXS, { name: 'iq2_xxs', blockSize: 256, typeSize: 66 }],
  [GgmlType.IQ2_XS, { name: 'iq2_xs', blockSize: 256, typeSize: 74 }],
  [GgmlType.IQ3_XXS, { name: 'iq3_xxs', blockSize: 256, typeSize: 98 }],
  [GgmlType.IQ1_S, { name: 'iq1_s', blockSize: 256, typeSize: 50 }],
  [GgmlType.IQ4_NL, { name: 'iq4_nl', blockSize: 32, typeSize: 18 }],
  [GgmlType.IQ3_S, { name: 'iq3_s', blockSize: 256, typeSize: 110 }],
  [GgmlType.IQ2_S, { name: 'iq2_s', blockSize: 256, typeSize: 82 }],
  [GgmlType.IQ4_XS, { name: 'iq4_xs', blockSize: 256, typeSize: 136 }],
  [GgmlType.I8, { name: 'i8', blockSize: 1, typeSize: 1 }],
  [GgmlType.I16, { name: 'i16', blockSize: 1, typeSize: 2 }],
  [GgmlType.I32, { name: 'i32', blockSize: 1, typeSize: 4 }],
  [GgmlType.I64, { name: 'i64', blockSize: 1, typeSize: 8 }],
  [GgmlType.F64, { name: 'f64', blockSize: 1, typeSize: 8 }],
  [GgmlType.IQ1_M, { name: 'iq1_m', blockSize: 256, typeSize: 56 }],
  [GgmlType.BF16, { name: 'bf16', blockSize: 1, typeSize: 2 }],
  [GgmlType.TQ1_0, { name: 'tq1_0', blockSize: 256, typeSize: 54 }],
  [GgmlType.TQ2_0, { name: 'tq2_0', blockSize: 256, typeSize: 66 }],
  [GgmlType.MXFP4, { name: 'mxfp4', blockSize: 32, typeSize: 17 }],
  [GgmlType.NVFP4, { name: 'nvfp4', blockSize: 64, typeSize: 36 }],
  [GgmlType.Q1_0, { name: 'q1_0', blockSize: 128, typeSize: 18 }],
  [GgmlType.Q2_0, { name: 'q2_0', blockSize: 64, typeSize: 18 }],
]);

/** All types a GGUF file may hold, in id order. */
export const GGML_TYPES: readonly GgmlType[] = [...TRAITS.keys()].sort((a, b) => a - b);

export function isGgmlType(id: number): id is GgmlType {
  return TRAITS.has(id as GgmlType);
}

export function ggmlTypeTraits(type: GgmlType): GgmlTypeTraits {
  const t = TRAITS.get(type);
  if (!t) {
    throw new FormatError(
      'GGUF_UNKNOWN_TYPE',
      `Unknown ggml tensor type id ${type}: valid ids are ${GGML_TYPES.join(', ')}. The file may be corrupt or written by a newer ggml.`,
    );
  }
  return t;
}

export function ggmlTypeName(type: GgmlType): string {
  return TRAITS.get(type)?.name ?? `unknown(${type})`;
}

/** Looks a type up by ggml's name, case-insensitively (`q4_k`, `Q4_K`, `bf16`). */
export function ggmlTypeFromName(name: string): GgmlType | undefined {
  const lower = name.toLowerCase();
  for (const [type, t] of TRAITS) if (t.name.toLowerCase() === lower) return type;
  return undefined;
}

export function ggmlBlockSize(type: GgmlType): number {
  return ggmlTypeTraits(type).blockSize;
}

export function ggmlTypeSize(type: GgmlType): number {
  return ggmlTypeTraits(type).typeSize;
}

/** Number of elements of a shape; throws on negative or non-integer dims. */
export function tensorElementCount(ne: readonly number[]): number {
  let n = 1;
  for (const d of ne) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new FormatError(
        'GGUF_BAD_SHAPE',
        `Tensor shape [${ne.join(', ')}] has an invalid dimension ${d}: dims must be non-negative integers.`,
      );
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) {
    throw new FormatError('GGUF_BAD_SHAPE', `Tensor shape [${ne.join(', ')}] has more than 2^53 elements.`);
  }
  return n;
}

/**
 * Bytes a tensor of shape `ne` (ggml order: ne[0] is the contiguous row) takes.
 * Quantized types pack each row in whole blocks, so ne[0] must be a multiple of the block size.
 */
export function tensorByteSize(type: GgmlType, ne: readonly number[]): number {
  const { blockSize, typeSize, name } = ggmlTypeTraits(type);
  const n = tensorElementCount(ne);
  const row = ne.length === 0 ? 1 : ne[0];
  if (row % blockSize !== 0) {
    throw new FormatError(
      'GGUF_BAD_ROW_SIZE',
      `Tensor rows of type ${name} must hold a multiple of ${blockSize} elements, but ne[0] = ${row} (shape [${ne.join(', ')}]). Pick a type with a smaller block or pad the row.`,
    );
  }
  const bytes = (n / blockSize) * typeSize;
  if (!Number.isSafeInteger(bytes)) {
    throw new FormatError('GGUF_BAD_SHAPE', `Tensor shape [${ne.join(', ')}] of type ${name} is larger than 2^53 bytes.`);
  }
  return bytes;
}
