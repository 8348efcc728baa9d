import { FormatError } from '@puyu/core';
import { describe, expect, it } from 'vitest';
import { encodeHeader, parseHeader } from './header.js';

const enc = (s: string) => new TextEncoder().encode(s);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as Error).message.length).toBeGreaterThan(40); // a sentence, not a bare code
    return (e as FormatError).code;
  }
  throw new Error('expected a FormatError');
}

describe('encodeHeader', () => {
  // Byte vectors from the Rust reference's own serialization tests (safetensors/src/tensor.rs).
  it('matches the reference bytes for one F32 tensor (no padding needed)', () => {
    const h = encodeHeader([{ name: 'attn.0', dtype: 'F32', shape: [1, 2, 3], dataOffsets: [0, 24] }]);
    expect(Buffer.from(h).toString()).toBe('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
    expect(h.byteLength).toBe(64);
  });
  it('pads with spaces to 8 bytes like the reference (forced alignment case)', () => {
    const h = encodeHeader([{ name: 'attn0', dtype: 'F32', shape: [1, 1, 2, 3], dataOffsets: [0, 24] }]);
    expect(h.byteLength).toBe(72);
    expect(Buffer.from(h).toString()).toBe('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
  });
  it('writes empty headers and metadata-first headers like the reference', () => {
    expect(Buffer.from(encodeHeader([])).toString()).toBe('{}      ');
    const h = encodeHeader([], { framework: 'pt' });
    expect(Buffer.from(h).toString()).toBe('{"__metadata__":{"framework":"pt"}}     ');
    expect(h.byteLength).toBe(40);
  });
  it('keeps integer-like names in the given order', () => {
    const h = Buffer.from(
      encodeHeader([
        { name: 'b', dtype: 'U8', shape: [1], dataOffsets: [0, 1] },
        { name: '0', dtype: 'U8', shape: [1], dataOffsets: [1, 2] },
      ]),
    ).toString();
    expect(h.indexOf('"b"')).toBeLessThan(h.indexOf('"0"'));
  });
});

describe('parseHeader', () => {
  const t = (o: object) => enc(JSON.stringify(o));
  it('parses tensors in offset order, scalars and empty tensors included', () => {
    const p = parseHeader(
      t({
        __metadata__: { format: 'pt' },
        b: { dtype: 'F16', shape: [], data_offsets: [8, 10] },
        e: { dtype: 'F32', shape: [0, 3], data_offsets: [10, 10] },
        a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] },
      }),
      10,
      'x',
    );
    expect(p.tensors.map((x) => x.name)).toEqual(['a', 'b', 'e']);
    expect(p.tensors[1]).toMatchObject({ shape: [], elementCount: 1, byteLength: 2 });
    expect(p.tensors[2]).toMatchObject({ elementCount: 0, byteLength: 0 });
    expect(p.metadata).toEqual({ format: 'pt' });
  });
  it('accepts trailing space padding', () => {
    expect(parseHeader(enc('{}      '), 0, 'x').tensors).toEqual([]);
  });
  it('keeps a "__proto__" metadata key as data', () => {
    const p = parseHeader(enc('{"__metadata__":{"__proto__":"x"}}'), 0, 'x');
    expect(Object.getPrototypeOf(p.metadata)).toBe(Object.prototype);
    expect(Object.keys(p.metadata ?? {})).toEqual(['__proto__']);
  });
  it('refuses malformed headers with stable codes', () => {
    expect(codeOf(() => parseHeader(enc('{"a":'), 0, 'x'))).toBe('SAFETENSORS_BAD_HEADER');
    expect(codeOf(() => parseHeader(new Uint8Array([0x7b, 0xff, 0x7d]), 0, 'x'))).toBe('SAFETENSORS_BAD_HEADER');
    expect(codeOf(() => parseHeader(enc('[1,2]'), 0, 'x'))).toBe('SAFETENSORS_BAD_HEADER');
    expect(codeOf(() => parseHeader(t({ __metadata__: { a: 1 } }), 0, 'x'))).toBe('SAFETENSORS_BAD_HEADER');
    expect(codeOf(() => parseHeader(t({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), 0, 'x'))).toBe('SAFETENSORS_BAD_HEADER');
    expect(codeOf(() => parseHeader(t({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }), 4, 'x'))).toBe(
      'SAFETENSORS_BAD_HEADER',
    );
    expect(codeOf(() => parseHeader(t({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }), 4, 'x'))).toBe('SAFETENSORS_BAD_HEADER');
    expect(codeOf(() => parseHeader(t({ a: { dtype: 'F32', shape: [2 ** 30, 2 ** 30], data_offsets: [0, 4] } }), 4, 'x'))).toBe(
      'SAFETENSORS_BAD_HEADER',
    );
    expect(codeOf(() => parseHeader(t({ a: { dtype: 'Q4_K', shape: [1], data_offsets: [0, 1] } }), 1, 'x'))).toBe('SAFETENSORS_BAD_DTYPE');
  });
  it('refuses overlapping, gapped, reversed and out-of-range offsets', () => {
    const two = (a: number[], b: number[]) =>
      t({
        a: { dtype: 'U8', shape: [a[1] - a[0]], data_offsets: a },
        b: { dtype: 'U8', shape: [Math.max(0, b[1] - b[0])], data_offsets: b },
      });
    expect(codeOf(() => parseHeader(two([0, 4], [2, 6]), 6, 'x'))).toBe('SAFETENSORS_BAD_OFFSETS');
    expect(codeOf(() => parseHeader(two([0, 4], [5, 6]), 6, 'x'))).toBe('SAFETENSORS_BAD_OFFSETS');
    expect(codeOf(() => parseHeader(two([1, 4], [4, 6]), 6, 'x'))).toBe('SAFETENSORS_BAD_OFFSETS');
    expect(codeOf(() => parseHeader(two([0, 4], [6, 4]), 6, 'x'))).toBe('SAFETENSORS_BAD_OFFSETS');
    expect(codeOf(() => parseHeader(two([0, 4], [4, 6]), 5, 'x'))).toBe('SAFETENSORS_TRUNCATED');
    expect(codeOf(() => parseHeader(two([0, 4], [4, 6]), 9, 'x'))).toBe('SAFETENSORS_TRAILING_BYTES');
  });
  it('refuses a byte length that disagrees with dtype × shape', () => {
    const h = t({ a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } });
    expect(codeOf(() => parseHeader(h, 20, 'x'))).toBe('SAFETENSORS_SIZE_MISMATCH');
  });
});
