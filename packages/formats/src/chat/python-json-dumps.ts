import { FormatError } from '@puyu/core';

/**
 * Serialises a value exactly as Python's `json.dumps(obj, ensure_ascii=False)` would, because
 * InternLM2 was trained on prompts produced by Python: tool lists, plugin calls and results are
 * `json.dumps` output, with `", "` / `": "` separators. A token-level mismatch (JSON.stringify's
 * compact form) shifts the model off its training distribution.
 *
 * Where JS and Python values differ, the rules are:
 * - numbers: safe integers print as Python ints (`3`, `-0` → `0`); every other number prints as
 *   Python's `repr(float)` (`0.5`, `1e-05`, `1e+16`, `NaN`, `Infinity`). JS cannot tell `1` from
 *   `1.0`, so a Python float with an integral value (e.g. `2.0`) prints as `2` here;
 * - bigint prints as an int; `undefined`, functions and symbols in objects are skipped and in
 *   arrays become `null` (JSON.stringify's rule; Python has no such values);
 * - strings escape only `"`, `\` and C0 controls (Python's ESCAPE regex with ensure_ascii off),
 *   so `\u007f`, U+2028 and non-BMP characters pass through raw; a lone surrogate, which Python
 *   would also emit raw (and then fail to encode as UTF-8), is escaped as `\udXXX` instead;
 * - key order is the object's own order. JS puts integer-like keys ("2") first whatever the
 *   source order was; callers that need Python's order for such keys must use a Map.
 */
export interface PythonJsonOptions {
  /** Like Python's `indent=`: pretty-print with this many spaces (item separator becomes `","`). */
  indent?: number;
  /** Like `sort_keys=True`. */
  sortKeys?: boolean;
}

export function pythonJsonDumps(value: unknown, options: PythonJsonOptions = {}): string {
  const indent = options.indent === undefined ? undefined : ' '.repeat(options.indent);
  const out = encode(value, indent, '', options.sortKeys === true, new Set());
  if (out === undefined) {
    throw new FormatError(
      'PY_JSON_UNSERIALISABLE',
      `Cannot serialise a top-level ${typeof value} as JSON; pass an object, array, string, number, boolean or null.`,
    );
  }
  return out;
}

function encode(value: unknown, indent: string | undefined, depth: string, sortKeys: boolean, seen: Set<object>): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return pythonJsonString(value);
    case 'number':
      return pythonNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const obj = value as object;
  // Dates and other objects with toJSON serialise through it, as JSON.stringify does.
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    return encode((obj as { toJSON: () => unknown }).toJSON(), indent, depth, sortKeys, seen);
  }
  if (seen.has(obj)) throw new FormatError('PY_JSON_CIRCULAR', 'Cannot serialise a circular structure as JSON; break the cycle first.');
  seen.add(obj);
  try {
    const inner = indent === undefined ? undefined : depth + indent;
    const open = inner === undefined ? '' : '\n' + inner;
    const close = inner === undefined ? '' : '\n' + depth;
    const sep = inner === undefined ? ', ' : ',\n' + inner;
    if (Array.isArray(obj)) {
      if (obj.length === 0) return '[]';
      const items = obj.map((v) => encode(v, indent, inner ?? '', sortKeys, seen) ?? 'null');
      return '[' + open + items.join(sep) + close + ']';
    }
    let entries: [string, unknown][] = obj instanceof Map ? [...obj.entries()].map(([k, v]) => [String(k), v]) : Object.entries(obj);
    if (sortKeys) entries = entries.sort(([a], [b]) => comparePythonStrings(a, b));
    const parts: string[] = [];
    for (const [k, v] of entries) {
      const encoded = encode(v, indent, inner ?? '', sortKeys, seen);
      if (encoded !== undefined) parts.push(pythonJsonString(k) + ': ' + encoded);
    }
    if (parts.length === 0) return '{}';
    return '{' + open + parts.join(sep) + close + '}';
  } finally {
    seen.delete(obj);
  }
}

/** Python sorts str by code point; JS `<` compares UTF-16 units, which differs above U+FFFF. */
function comparePythonStrings(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A JSON string literal with Python's `ensure_ascii=False` escaping. */
export function pythonJsonString(s: string): string {
  return '"' + s.replace(/["\\\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, escapeChar) + '"';
}

function escapeChar(c: string): string {
  return SHORT_ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
}

/** Python's json int / float repr for a JS number (see the module comment for the int rule). */
export function pythonNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Number.isSafeInteger(x)) return String(x === 0 ? 0 : x);
  return pythonFloatRepr(x);
}

/**
 * Python's `repr(float)`: the shortest round-trip digits (the same digits JS picks), written in
 * fixed notation when the decimal exponent is in [-4, 16), otherwise as `d.ddde±XX`.
 */
export function pythonFloatRepr(x: number): string {
  if (!Number.isFinite(x)) return pythonNumber(x);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits.padEnd(intLen, '0')}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}
