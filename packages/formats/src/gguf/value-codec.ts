/**
 * GGUF metadata values on disk: scalars little-endian, strings as u64 length + UTF-8
 * bytes, arrays as u32 item type + u64 count + items (an item may itself be an array).
 */
import { FormatError } from '@puyu/core';
import type { FileCursor } from './file-cursor.js';
import { type GgufArrayValue, type GgufScalar, type GgufValue, GgufValueType } from './types.js';

/** ggml refuses longer strings and arrays (gguf.cpp GGUF_MAX_STRING_LENGTH / _ARRAY_ELEMENTS); so do we. */
export const GGUF_MAX_STRING_BYTES = 1024 * 1024 * 1024;
export const GGUF_MAX_ARRAY_ITEMS = 1024 * 1024 * 1024;
/** Nested arrays are legal but real files nest at most once; a deep chain means corruption (and would blow the stack). */
export const GGUF_MAX_ARRAY_DEPTH = 16;

const SCALAR_SIZE: Partial<Record<GgufValueType, number>> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};

export function isGgufValueType(t: number): t is GgufValueType {
  return Number.isInteger(t) && t >= 0 && t <= GgufValueType.FLOAT64;
}

/** Fewest bytes one value of the type can take on disk (used to reject absurd counts early). */
export function minEncodedSize(t: GgufValueType): number {
  if (t === GgufValueType.STRING) return 8;
  if (t === GgufValueType.ARRAY) return 12;
  return SCALAR_SIZE[t] ?? 1;
}

function corrupt(path: string, msg: string, offset: number): FormatError {
  return new FormatError('GGUF_CORRUPT', `${path}: ${msg} (at offset ${offset}). The file is corrupt or not a GGUF file.`, {
    details: { offset },
  });
}

/** Checks a declared length against what is left of the file, before anything is allocated. */
export function checkDeclared(cur: FileCursor, path: string, what: string, bytes: bigint | number): number {
  const b = BigInt(bytes);
  if (b > BigInt(cur.remaining)) {
    // A length that cannot fit even in the whole file is corruption; one that merely runs past the end is a cut file.
    const code = b > BigInt(cur.fileSize) ? 'GGUF_CORRUPT' : 'GGUF_TRUNCATED';
    throw new FormatError(
      code,
      `${path}: ${what} declares ${b} bytes at offset ${cur.pos} but only ${cur.remaining} remain in the file. The file is ${code === 'GGUF_CORRUPT' ? 'corrupt' : 'truncated'}.`,
      { details: { offset: cur.pos, declared: b.toString() } },
    );
  }
  return Number(b);
}

export async function readString(cur: FileCursor, path: string, what: string): Promise<string> {
  if (!cur.has(8)) await cur.need(8, `${what} length`);
  const len = cur.u64();
  if (len > BigInt(GGUF_MAX_STRING_BYTES)) throw corrupt(path, `${what} has length ${len} (limit ${GGUF_MAX_STRING_BYTES})`, cur.pos - 8);
  const n = checkDeclared(cur, path, what, len);
  if (!cur.has(n)) await cur.need(n, what);
  return cur.utf8(n);
}

/** Reads a string only if its length and bytes are fully buffered and plausible; otherwise consumes nothing. */
function readBufferedString(cur: FileCursor): string | undefined {
  if (!cur.has(8)) return undefined;
  const start = cur.pos;
  const len = cur.u64();
  if (len <= BigInt(GGUF_MAX_STRING_BYTES) && cur.has(Number(len))) return cur.utf8(Number(len));
  cur.pos = start;
  return undefined;
}

function readScalarSync(cur: FileCursor, t: GgufValueType): GgufScalar {
  switch (t) {
    case GgufValueType.UINT8:
      return cur.u8();
    case GgufValueType.INT8:
      return cur.i8();
    case GgufValueType.UINT16:
      return cur.u16();
    case GgufValueType.INT16:
      return cur.i16();
    case GgufValueType.UINT32:
      return cur.u32();
    case GgufValueType.INT32:
      return cur.i32();
    case GgufValueType.FLOAT32:
      return cur.f32();
    case GgufValueType.BOOL:
      return cur.u8() !== 0;
    case GgufValueType.UINT64:
      return cur.u64();
    case GgufValueType.INT64:
      return cur.i64();
    case GgufValueType.FLOAT64:
      return cur.f64();
    default:
      throw new Error(`not a fixed-size GGUF type: ${t}`);
  }
}

/** Reads one value of type `t` (the type tag itself already consumed). */
export async function readValue(cur: FileCursor, path: string, t: GgufValueType, key: string, depth = 0): Promise<GgufValue> {
  if (t === GgufValueType.STRING) return { type: t, value: await readString(cur, path, `string value of '${key}'`) };
  if (t !== GgufValueType.ARRAY) {
    const size = SCALAR_SIZE[t] as number;
    if (!cur.has(size)) await cur.need(size, `value of '${key}'`);
    return { type: t, value: readScalarSync(cur, t) } as GgufValue;
  }
  if (depth >= GGUF_MAX_ARRAY_DEPTH) throw corrupt(path, `arrays in '${key}' nest deeper than ${GGUF_MAX_ARRAY_DEPTH} levels`, cur.pos);
  if (!cur.has(12)) await cur.need(12, `array header of '${key}'`);
  const itemType = cur.u32();
  const count = cur.u64();
  if (!isGgufValueType(itemType)) throw corrupt(path, `array '${key}' has unknown item type ${itemType}`, cur.pos - 12);
  if (count > BigInt(GGUF_MAX_ARRAY_ITEMS))
    throw corrupt(path, `array '${key}' declares ${count} items (limit ${GGUF_MAX_ARRAY_ITEMS})`, cur.pos - 8);
  const n = Number(count);
  checkDeclared(cur, path, `array '${key}' of ${count} items`, count * BigInt(minEncodedSize(itemType)));
  if (itemType === GgufValueType.STRING) {
    const items: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      // Synchronous fast path while the string is already buffered: an await per token costs
      // more than decoding it (a 92k-token vocabulary went from ~135 ms to a few tens).
      const fast = readBufferedString(cur);
      items[i] = fast ?? (await readString(cur, path, `item ${i} of '${key}'`));
    }
    return { type: GgufValueType.ARRAY, itemType, items };
  }
  if (itemType === GgufValueType.ARRAY) {
    const items: GgufArrayValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      if (!cur.has(4)) await cur.need(4, `item ${i} of '${key}'`);
      const innerTag = cur.u32();
      if (innerTag !== GgufValueType.ARRAY)
        throw corrupt(path, `item ${i} of nested array '${key}' is not tagged as an array`, cur.pos - 4);
      items[i] = (await readValue(cur, path, GgufValueType.ARRAY, key, depth + 1)) as GgufArrayValue;
    }
    return { type: GgufValueType.ARRAY, itemType, items };
  }
  const size = SCALAR_SIZE[itemType] as number;
  const items: GgufScalar[] = new Array(n);
  // Read in buffered batches: the whole array is already known to fit in the file.
  const batch = Math.max(1, Math.floor((1 << 20) / size));
  for (let i = 0; i < n; ) {
    const k = Math.min(batch, n - i);
    if (!cur.has(k * size)) await cur.need(k * size, `items of '${key}'`);
    for (const end = i + k; i < end; i++) items[i] = readScalarSync(cur, itemType);
  }
  return { type: GgufValueType.ARRAY, itemType, items };
}

/** Growable little-endian byte buffer for the header (metadata + tensor infos). */
export class ByteSink {
  private buf = Buffer.allocUnsafe(1 << 16);
  length = 0;

  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    const o = this.length;
    this.length += n;
    return o;
  }
  u8(v: number): void {
    const o = this.room(1);
    this.buf.writeUInt8(v, o);
  }
  i8(v: number): void {
    const o = this.room(1);
    this.buf.writeInt8(v, o);
  }
  u16(v: number): void {
    const o = this.room(2);
    this.buf.writeUInt16LE(v, o);
  }
  i16(v: number): void {
    const o = this.room(2);
    this.buf.writeInt16LE(v, o);
  }
  u32(v: number): void {
    const o = this.room(4);
    this.buf.writeUInt32LE(v, o);
  }
  i32(v: number): void {
    const o = this.room(4);
    this.buf.writeInt32LE(v, o);
  }
  u64(v: bigint): void {
    const o = this.room(8);
    this.buf.writeBigUInt64LE(v, o);
  }
  i64(v: bigint): void {
    const o = this.room(8);
    this.buf.writeBigInt64LE(v, o);
  }
  f32(v: number): void {
    const o = this.room(4);
    this.buf.writeFloatLE(v, o);
  }
  f64(v: number): void {
    const o = this.room(8);
    this.buf.writeDoubleLE(v, o);
  }
  str(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.u64(BigInt(n));
    const o = this.room(n); // reserve first: room() may swap this.buf
    this.buf.write(s, o, n, 'utf8');
  }
  zeros(n: number): void {
    const o = this.room(n);
    this.buf.fill(0, o, o + n);
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

const INT_RANGE: Partial<Record<GgufValueType, [number, number]>> = {
  [GgufValueType.UINT8]: [0, 0xff],
  [GgufValueType.INT8]: [-0x80, 0x7f],
  [GgufValueType.UINT16]: [0, 0xffff],
  [GgufValueType.INT16]: [-0x8000, 0x7fff],
  [GgufValueType.UINT32]: [0, 0xffffffff],
  [GgufValueType.INT32]: [-0x80000000, 0x7fffffff],
};

function badValue(key: string, msg: string): FormatError {
  return new FormatError('GGUF_BAD_VALUE', `Metadata '${key}': ${msg}.`, { details: { key } });
}

function writeScalar(sink: ByteSink, t: GgufValueType, v: GgufScalar, key: string): void {
  const range = INT_RANGE[t];
  if (range) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
      throw badValue(key, `${String(v)} is not an integer in [${range[0]}, ${range[1]}] as ${GgufValueType[t]} requires`);
    }
  }
  switch (t) {
    case GgufValueType.UINT8:
      sink.u8(v as number);
      return;
    case GgufValueType.INT8:
      sink.i8(v as number);
      return;
    case GgufValueType.UINT16:
      sink.u16(v as number);
      return;
    case GgufValueType.INT16:
      sink.i16(v as number);
      return;
    case GgufValueType.UINT32:
      sink.u32(v as number);
      return;
    case GgufValueType.INT32:
      sink.i32(v as number);
      return;
    case GgufValueType.FLOAT32:
    case GgufValueType.FLOAT64:
      if (typeof v !== 'number') throw badValue(key, `${String(v)} is not a number`);
      if (t === GgufValueType.FLOAT32) sink.f32(v);
      else sink.f64(v);
      return;
    case GgufValueType.BOOL:
      if (typeof v !== 'boolean') throw badValue(key, `${String(v)} is not a boolean`);
      sink.u8(v ? 1 : 0);
      return;
    case GgufValueType.STRING:
      if (typeof v !== 'string') throw badValue(key, `${String(v)} is not a string`);
      sink.str(v);
      return;
    case GgufValueType.UINT64:
    case GgufValueType.INT64: {
      if (typeof v !== 'bigint' && !(typeof v === 'number' && Number.isSafeInteger(v)))
        throw badValue(key, `${String(v)} is not an integer`);
      const b = BigInt(v);
      const ok = t === GgufValueType.UINT64 ? b >= 0n && b < 1n << 64n : b >= -(1n << 63n) && b < 1n << 63n;
      if (!ok) throw badValue(key, `${b} is out of range for ${GgufValueType[t]}`);
      if (t === GgufValueType.UINT64) sink.u64(b);
      else sink.i64(b);
      return;
    }
    default:
      throw badValue(key, `unknown value type ${t}`);
  }
}

/** Writes a value without its type tag (the caller writes the tag: keys and nested items both need it). */
export function writeValue(sink: ByteSink, v: GgufValue, key: string, depth = 0): void {
  if (v.type !== GgufValueType.ARRAY) {
    writeScalar(sink, v.type, v.value, key);
    return;
  }
  if (depth >= GGUF_MAX_ARRAY_DEPTH) throw badValue(key, `arrays nest deeper than ${GGUF_MAX_ARRAY_DEPTH} levels`);
  if (!isGgufValueType(v.itemType)) throw badValue(key, `unknown array item type ${v.itemType}`);
  sink.u32(v.itemType);
  sink.u64(BigInt(v.items.length));
  if (v.itemType === GgufValueType.ARRAY) {
    for (const item of v.items as GgufArrayValue[]) {
      if (typeof item !== 'object' || item === null || item.type !== GgufValueType.ARRAY)
        throw badValue(key, 'an array of arrays holds a non-array item');
      sink.u32(GgufValueType.ARRAY);
      writeValue(sink, item, key, depth + 1);
    }
    return;
  }
  for (const item of v.items as GgufScalar[]) writeScalar(sink, v.itemType, item, key);
}
