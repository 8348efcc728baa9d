import { readFileSync } from 'node:fs';
import { FormatError } from '@puyu/core';
import { describe, expect, it } from 'vitest';
import { pythonFloatRepr, pythonJsonDumps, pythonJsonString, pythonNumber } from './python-json-dumps.js';

// Outputs of CPython's json.dumps, written by fixtures/gen_python_oracle.py.
const oracle = JSON.parse(readFileSync(new URL('./fixtures/python-oracle.json', import.meta.url), 'utf8')) as {
  json: { input: string; dumps: string; indent4: string; sorted: string }[];
};

describe('pythonJsonDumps against CPython json.dumps(ensure_ascii=False)', () => {
  it('has oracle cases', () => expect(oracle.json.length).toBeGreaterThan(15));
  for (const c of oracle.json) {
    it(`matches for ${c.input.slice(0, 60)}`, () => {
      const value = JSON.parse(c.input);
      expect(pythonJsonDumps(value)).toBe(c.dumps);
      expect(pythonJsonDumps(value, { indent: 4 })).toBe(c.indent4);
      expect(pythonJsonDumps(value, { sortKeys: true })).toBe(c.sorted);
    });
  }
});

describe('pythonJsonDumps details', () => {
  it('uses Python separators, not JSON.stringify compaction', () => {
    expect(pythonJsonDumps({ a: [1, 2], b: { c: null } })).toBe('{"a": [1, 2], "b": {"c": null}}');
  });

  it('keeps Chinese and emoji raw but escapes C0 controls in lowercase hex', () => {
    expect(pythonJsonString('上海\u0001😀')).toBe('"上海\\u0001😀"');
    expect(pythonJsonString('\u001b[0m')).toBe('"\\u001b[0m"');
  });

  it('escapes lone surrogates instead of emitting invalid UTF-16', () => {
    expect(pythonJsonString('a\ud800b')).toBe('"a\\ud800b"');
    expect(pythonJsonString('\udc00')).toBe('"\\udc00"');
    expect(pythonJsonString('\ud83d\ude00')).toBe('"😀"');
  });

  it('prints non-finite numbers like Python (allow_nan=True)', () => {
    expect(pythonJsonDumps([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBe('[NaN, Infinity, -Infinity]');
  });

  it('formats floats like repr()', () => {
    expect(pythonFloatRepr(2)).toBe('2.0');
    expect(pythonFloatRepr(-0)).toBe('-0.0');
    expect(pythonFloatRepr(1e15)).toBe('1000000000000000.0');
    expect(pythonFloatRepr(1e16)).toBe('1e+16');
    expect(pythonFloatRepr(0.0001)).toBe('0.0001');
    expect(pythonFloatRepr(0.00001)).toBe('1e-05');
    expect(pythonFloatRepr(-1.5e-300)).toBe('-1.5e-300');
    expect(pythonFloatRepr(123.456)).toBe('123.456');
    expect(pythonNumber(-0)).toBe('0');
    expect(pythonNumber(2 ** 53)).toBe('9007199254740992.0');
  });

  it('prints bigint as an int and skips undefined like JSON.stringify', () => {
    expect(pythonJsonDumps({ big: 12345678901234567890n, gone: undefined, f: () => 1 })).toBe('{"big": 12345678901234567890}');
    expect(pythonJsonDumps([undefined, 1])).toBe('[null, 1]');
  });

  it('serialises Maps in insertion order, even with integer-like keys', () => {
    const m = new Map<string, number>([
      ['b', 1],
      ['2', 2],
    ]);
    expect(pythonJsonDumps(m)).toBe('{"b": 1, "2": 2}');
    expect(pythonJsonDumps({ b: 1, 2: 2 })).toBe('{"2": 2, "b": 1}'); // JS object order, documented
  });

  it('honours toJSON', () => {
    expect(pythonJsonDumps({ at: new Date(Date.UTC(2024, 0, 2)) })).toBe('{"at": "2024-01-02T00:00:00.000Z"}');
  });

  it('indents nested empty containers compactly, as Python does', () => {
    expect(pythonJsonDumps({ a: [], b: {}, c: [1] }, { indent: 2 })).toBe('{\n  "a": [],\n  "b": {},\n  "c": [\n    1\n  ]\n}');
  });

  it('rejects cycles and unserialisable top-level values with codes', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => pythonJsonDumps(a)).toThrow(FormatError);
    expect(() => pythonJsonDumps(a)).toThrow(expect.objectContaining({ code: 'PY_JSON_CIRCULAR' }));
    expect(() => pythonJsonDumps(undefined)).toThrow(expect.objectContaining({ code: 'PY_JSON_UNSERIALISABLE' }));
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(pythonJsonDumps([shared, shared])).toBe('[{"x": 1}, {"x": 1}]');
  });
});
