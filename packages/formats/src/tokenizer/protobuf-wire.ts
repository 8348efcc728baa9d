import { FormatError } from '@puyu/core';

/**
 * Minimal protobuf wire-format reader/writer (proto2 subset: varint, 64-bit,
 * length-delimited, 32-bit). Hand-written because SentencePiece's ModelProto is
 * the only protobuf we read, and a generated runtime would be a large dependency
 * for ~150 lines of logic.
 */

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const TWO_32 = 4294967296;

function truncated(what: string): FormatError {
  return new FormatError(
    'PROTO_TRUNCATED',
    `Protobuf data ends in the middle of ${what}: the file is truncated or not a protobuf. Re-download or re-export it.`,
  );
}

export class WireReader {
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint as (lo, hi) 32-bit halves; up to 10 bytes as protobuf allows. */
  private varintParts(): [number, number] {
    let lo = 0;
    let hi = 0;
    const buf = this.buf;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw truncated('a varint');
      const b = buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    throw new FormatError('PROTO_BAD_VARINT', 'Protobuf varint is longer than 10 bytes: the data is corrupt.');
  }

  /** Raw tag value (field number * 8 + wire type); field 0 is rejected. */
  tag(): number {
    const buf = this.buf;
    // Fast path: SentencePiece tags are one or two bytes.
    if (this.pos < this.end) {
      const b = buf[this.pos];
      if (b < 0x80 && b >= 8) {
        this.pos++;
        return b;
      }
    }
    const [lo, hi] = this.varintParts();
    const v = hi * TWO_32 + lo;
    if (v < 8) throw new FormatError('PROTO_BAD_TAG', 'Protobuf field number 0 is invalid: the data is corrupt.');
    return v;
  }

  /** int32 / enum: negative values arrive sign-extended to 64 bits, keep the low 32. */
  int32(): number {
    return this.varintParts()[0] | 0;
  }

  /** uint64 as a JS number (exact below 2^53, which covers every SentencePiece field). */
  uint64(): number {
    const [lo, hi] = this.varintParts();
    return hi * TWO_32 + lo;
  }

  bool(): boolean {
    const [lo, hi] = this.varintParts();
    return lo !== 0 || hi !== 0;
  }

  float(): number {
    if (this.pos + 4 > this.end) throw truncated('a float');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Returns [start, end) of a length-delimited payload and moves past it. */
  lengthDelimited(): [number, number] {
    const [lo, hi] = this.varintParts();
    const len = hi * TWO_32 + lo;
    const start = this.pos;
    if (len > this.end - start) throw truncated('a length-delimited field');
    this.pos = start + len;
    return [start, start + len];
  }

  bytes(): Uint8Array {
    const [s, e] = this.lengthDelimited();
    return this.buf.slice(s, e);
  }

  string(): string {
    const [s, e] = this.lengthDelimited();
    return utf8Decoder.decode(this.buf.subarray(s, e));
  }

  /** Skips a field of the given wire type (used to capture unknown fields raw). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varintParts();
        return;
      case WIRE_I64:
        if (this.pos + 8 > this.end) throw truncated('a 64-bit field');
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.lengthDelimited();
        return;
      case WIRE_I32:
        if (this.pos + 4 > this.end) throw truncated('a 32-bit field');
        this.pos += 4;
        return;
      default:
        throw new FormatError(
          'PROTO_BAD_WIRE_TYPE',
          `Protobuf wire type ${wire} is not supported (groups are obsolete): the data is corrupt or not a SentencePiece model.`,
        );
    }
  }
}

// ignoreBOM: a piece may be U+FEFF itself (InternLM2 has one); the default decoder would drop it.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Growable output buffer. */
export class WireWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Unsigned varint from a non-negative number below 2^53. */
  private uvarint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  tag(field: number, wire: number): void {
    this.uvarint(field * 8 + wire);
  }

  /** int32 / enum: negatives are written as 10-byte two's-complement, as protobuf does. */
  int32(field: number, v: number): void {
    this.tag(field, WIRE_VARINT);
    if (v >= 0) {
      this.uvarint(v);
      return;
    }
    this.ensure(10);
    let lo = v >>> 0;
    let hi = 0xffffffff;
    for (let i = 0; i < 9; i++) {
      this.buf[this.len++] = (lo & 0x7f) | 0x80;
      lo = (lo >>> 7) | ((hi & 0x7f) << 25);
      hi >>>= 7;
    }
    this.buf[this.len++] = lo & 0x01;
  }

  uint64(field: number, v: number): void {
    this.tag(field, WIRE_VARINT);
    this.uvarint(v);
  }

  bool(field: number, v: boolean): void {
    this.tag(field, WIRE_VARINT);
    this.uvarint(v ? 1 : 0);
  }

  float(field: number, v: number): void {
    this.tag(field, WIRE_I32);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat32(this.len, v, true);
    this.len += 4;
  }

  bytes(field: number, v: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.uvarint(v.length);
    this.raw(v);
  }

  string(field: number, v: string): void {
    this.bytes(field, utf8Encoder.encode(v));
  }

  raw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.len);
    this.len += v.length;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
