import { describe, expect, it } from 'vitest';
import { cpuHasBf16, defaultPrecision, resolvePrecision } from './precision.js';

describe('training precision', () => {
  it('an explicit precision wins; unset follows the CPU', () => {
    expect(resolvePrecision('fp32')).toBe('fp32');
    expect(resolvePrecision('bf16')).toBe('bf16');
    expect(resolvePrecision(undefined)).toBe(defaultPrecision());
  });

  it('defaults to bf16 only with AVX512-BF16, and never under the (f32) BLAS backend', () => {
    expect(defaultPrecision({})).toBe(cpuHasBf16() ? 'bf16' : 'fp32');
    expect(defaultPrecision({ PUYU_GGML_BLAS: '/x/libggml-blas.so' })).toBe('fp32');
  });
});
