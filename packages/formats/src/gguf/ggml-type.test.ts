import { describe, expect, it } from 'vitest';
import {
  GGML_TYPES,
  GgmlType,
  ggmlBlockSize,
  ggmlTypeFromName,
  ggmlTypeName,
  ggmlTypeSize,
  isGgmlType,
  tensorByteSize,
} from './ggml-type.js';

describe('ggml types', () => {
  it('uses ggml.h ids', () => {
    expect([GgmlType.F32, GgmlType.F16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q8_K]).toEqual([
      0, 1, 2, 3, 6, 8, 10, 15,
    ]);
    expect([
      GgmlType.IQ2_XXS,
      GgmlType.I8,
      GgmlType.F64,
      GgmlType.IQ1_M,
      GgmlType.BF16,
      GgmlType.TQ1_0,
      GgmlType.TQ2_0,
      GgmlType.MXFP4,
    ]).toEqual([16, 24, 28, 29, 30, 34, 35, 39]);
    for (const removed of [4, 5, 31, 32, 33, 36, 37, 38, 43, -1]) expect(isGgmlType(removed)).toBe(false);
    expect(GGML_TYPES).toHaveLength(35);
  });

  it('knows block and type sizes', () => {
    expect([ggmlBlockSize(GgmlType.Q4_K), ggmlTypeSize(GgmlType.Q4_K)]).toEqual([256, 144]);
    expect([ggmlBlockSize(GgmlType.Q6_K), ggmlTypeSize(GgmlType.Q6_K)]).toEqual([256, 210]);
    expect([ggmlBlockSize(GgmlType.Q8_0), ggmlTypeSize(GgmlType.Q8_0)]).toEqual([32, 34]);
    expect([ggmlBlockSize(GgmlType.MXFP4), ggmlTypeSize(GgmlType.MXFP4)]).toEqual([32, 17]);
    expect(ggmlTypeName(GgmlType.Q4_K)).toBe('q4_K');
    expect(ggmlTypeFromName('Q4_K')).toBe(GgmlType.Q4_K);
    expect(ggmlTypeFromName('nope')).toBeUndefined();
    expect(() => ggmlTypeSize(4 as GgmlType)).toThrow(expect.objectContaining({ code: 'GGUF_UNKNOWN_TYPE' }));
  });

  it('computes tensor byte sizes', () => {
    expect(tensorByteSize(GgmlType.F32, [3, 5])).toBe(60);
    expect(tensorByteSize(GgmlType.BF16, [7])).toBe(14);
    expect(tensorByteSize(GgmlType.Q8_0, [64, 3])).toBe(2 * 3 * 34);
    expect(tensorByteSize(GgmlType.Q4_K, [4096, 4096])).toBe(16 * 4096 * 144);
    expect(tensorByteSize(GgmlType.F32, [0, 9])).toBe(0);
    expect(() => tensorByteSize(GgmlType.Q4_K, [4097, 2])).toThrow(
      expect.objectContaining({ code: 'GGUF_BAD_ROW_SIZE', message: expect.stringMatching(/multiple of 256/) }),
    );
    expect(() => tensorByteSize(GgmlType.F32, [-1])).toThrow(expect.objectContaining({ code: 'GGUF_BAD_SHAPE' }));
    expect(() => tensorByteSize(GgmlType.F32, [2 ** 30, 2 ** 30, 2 ** 10])).toThrow(expect.objectContaining({ code: 'GGUF_BAD_SHAPE' }));
  });
});
