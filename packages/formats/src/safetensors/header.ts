/**
 * The safetensors header: parsing with full validation (the same rules as the Rust
 * reference's `read_metadata` + `validate`) and encoding byte-compatible with its
 * `prepare` (compact JSON, `__metadata__` first, spaces padding to 8 bytes).
 */
import { FormatError } from '@puyu/core';
import { DTYPE_BYTES, isSafetensorsDtype, type SafetensorsDtype } from './dtype.js';

/** The reference refuses headers over 100 MB: a real header is kilobytes, a bigger one is corrupt or hostile. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /** PyTorch (row-major, outermost first) order, as stored. */
  readonly shape: readonly number[];
  /** [begin, end) relative to the start of the data section (byte 8 + header length). */
  readonly dataOffsets: readonly [number, number];
  readonly byteLength: number;
  readonly elementCount: number;
}

export interface ParsedHeader {
  /** Sorted by data offset (file order). */
  readonly tensors: SafetensorsTensorInfo[];
  readonly metadata: Readonly<Record<string, string>> | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bad(path: string, what: string, tensor?: string): FormatError {
  return new FormatError(
    'SAFETENSORS_BAD_HEADER',
    `${path}: invalid safetensors header: ${what}. The file is corrupt or not a safetensors file; re-download or re-export it.`,
    { details: { path, ...(tensor === undefined ? {} : { tensor }) } },
  );
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Product of a shape, refusing overflow past 2^53 (the reference's `ValidationOverflow`). */
export function elementCount(shape: readonly number[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) return undefined;
  }
  return n;
}

/**
 * Parses and validates `headerBytes` (the JSON after the 8-byte length) against the
 * number of data bytes the file actually holds after the header.
 */
export function parseHeader(headerBytes: Uint8Array, dataBytes: number, path: string): ParsedHeader {
  let text: string;
  try {
    text = utf8.decode(headerBytes);
  } catch {
    throw bad(path, 'the header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad(path, `the header is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw bad(path, 'the header is not a JSON object');

  let metadata: Record<string, string> | undefined;
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(path, '__metadata__ must be an object');
      const pairs = Object.entries(raw as Record<string, unknown>);
      for (const [k, v] of pairs) {
        if (typeof v !== 'string') throw bad(path, `__metadata__["${k}"] must be a string, got ${typeof v}`);
      }
      // fromEntries defines own properties, so a key like "__proto__" cannot touch the prototype.
      metadata = Object.fromEntries(pairs) as Record<string, string>;
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(path, `entry "${name}" is not an object`, name);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isSafetensorsDtype(dtype)) {
      throw new FormatError(
        'SAFETENSORS_BAD_DTYPE',
        `${path}: tensor "${name}" has dtype ${JSON.stringify(dtype)}, which Puyu does not know (known: ${Object.keys(DTYPE_BYTES).join(', ')}). Convert the checkpoint to F32/F16/BF16 first.`,
        { details: { path, tensor: name, dtype } },
      );
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) {
      throw bad(path, `tensor "${name}" needs "shape" as an array of non-negative integers`, name);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt)) {
      throw bad(path, `tensor "${name}" needs "data_offsets" as [begin, end] non-negative integers`, name);
    }
    const count = elementCount(shape);
    const expected = count === undefined ? undefined : count * DTYPE_BYTES[dtype];
    if (expected === undefined || !Number.isSafeInteger(expected)) {
      throw bad(path, `tensor "${name}" has a shape [${shape.join(', ')}] too large to address`, name);
    }
    const [begin, end] = offsets as number[];
    tensors.push({ name, dtype, shape: [...shape], dataOffsets: [begin, end], byteLength: end - begin, elementCount: count as number });
  }

  // Like the reference: order by offsets, then demand one gap-free, overlap-free run from 0.
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let cursor = 0;
  let previous = '';
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    if (end < begin) {
      throw new FormatError(
        'SAFETENSORS_BAD_OFFSETS',
        `${path}: tensor "${t.name}" has data_offsets [${begin}, ${end}] with end before begin. The header is corrupt.`,
        {
          details: { path, tensor: t.name },
        },
      );
    }
    if (begin !== cursor) {
      const why =
        begin < cursor
          ? `overlaps ${previous ? `"${previous}"` : 'the previous tensor'} (which ends at ${cursor})`
          : `leaves a gap of ${begin - cursor} bytes after ${previous ? `"${previous}"` : 'the start of the data'}`;
      throw new FormatError(
        'SAFETENSORS_BAD_OFFSETS',
        `${path}: tensor "${t.name}" starts at data offset ${begin} and ${why}; tensors must be packed back to back. The header is corrupt.`,
        {
          details: { path, tensor: t.name, begin, expected: cursor },
        },
      );
    }
    const expected = t.elementCount * DTYPE_BYTES[t.dtype];
    if (end - begin !== expected) {
      throw new FormatError(
        'SAFETENSORS_SIZE_MISMATCH',
        `${path}: tensor "${t.name}" is ${t.dtype} [${t.shape.join(', ')}] = ${expected} bytes, but its data_offsets span ${end - begin} bytes. The header is corrupt.`,
        { details: { path, tensor: t.name, expected, actual: end - begin } },
      );
    }
    cursor = end;
    previous = t.name;
  }
  if (cursor > dataBytes) {
    throw new FormatError(
      'SAFETENSORS_TRUNCATED',
      `${path}: the header describes ${cursor} bytes of tensor data but the file holds only ${dataBytes}; the file is truncated (an interrupted download or write?). Re-download or re-export it.`,
      { details: { path, expected: cursor, actual: dataBytes } },
    );
  }
  if (cursor < dataBytes) {
    throw new FormatError(
      'SAFETENSORS_TRAILING_BYTES',
      `${path}: ${dataBytes - cursor} bytes after the last tensor are not described by the header; the file is corrupt or was appended to.`,
      { details: { path, expected: cursor, actual: dataBytes } },
    );
  }
  return { tensors, metadata };
}

export interface HeaderEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly dataOffsets: readonly [number, number];
}

/** Compact JSON exactly as serde_json writes the reference's header, padded with spaces to a multiple of 8. */
export function encodeHeader(entries: readonly HeaderEntry[], metadata?: Readonly<Record<string, string>>): Uint8Array {
  // Built by hand: a JS object would move integer-like names ("0", "1") to the front.
  const parts: string[] = [];
  if (metadata !== undefined) {
    const kv = Object.entries(metadata).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    parts.push(`"__metadata__":{${kv.join(',')}}`);
  }
  for (const e of entries) {
    parts.push(
      `${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.shape.join(',')}],"data_offsets":[${e.dataOffsets[0]},${e.dataOffsets[1]}]}`,
    );
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  return padded;
}
