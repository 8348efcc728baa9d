import type { FileHandle } from 'node:fs/promises';
import { FormatError } from '@puyu/core';

const DEFAULT_CHUNK = 1 << 20;

/**
 * Sequential little-endian reader over a file handle through a sliding buffer, so the
 * header of a multi-GB GGUF is parsed without reading its tensor data. Callers first
 * `await need(n)` (a no-op when already buffered), then read synchronously: per-item
 * awaits would make a 100k-token vocabulary slow.
 */
export class FileCursor {
  private buf: Buffer;
  private bufStart = 0;
  private bufLen = 0;
  /** Absolute position of the next byte to read. */
  pos = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly fileSize: number,
    private readonly path: string,
    private readonly chunk = DEFAULT_CHUNK,
  ) {
    this.buf = Buffer.allocUnsafe(chunk);
  }

  get remaining(): number {
    return this.fileSize - this.pos;
  }

  /** True when the next `n` bytes are already buffered. */
  has(n: number): boolean {
    return this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.bufLen;
  }

  /** Buffers the next `n` bytes; throws GGUF_TRUNCATED when the file ends first. */
  async need(n: number, what: string): Promise<void> {
    if (this.has(n)) return;
    if (n > this.remaining) {
      throw new FormatError(
        'GGUF_TRUNCATED',
        `${this.path}: file ends while reading ${what} (needs ${n} bytes at offset ${this.pos}, file has ${this.fileSize}). The file is truncated or corrupt; re-download or re-convert it.`,
        { details: { offset: this.pos, fileSize: this.fileSize } },
      );
    }
    const want = Math.min(Math.max(n, this.chunk), this.remaining);
    // `n` is bounded by the bytes left in the file (checked above), never by a header field alone.
    if (want > this.buf.length) this.buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(this.buf, got, want - got, this.pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.bufStart = this.pos;
    this.bufLen = got;
    if (got < n) {
      throw new FormatError('GGUF_TRUNCATED', `${this.path}: file shrank while reading ${what} at offset ${this.pos}.`);
    }
  }

  private at(n: number): number {
    const o = this.pos - this.bufStart;
    this.pos += n;
    return o;
  }

  u8(): number {
    return this.buf.readUInt8(this.at(1));
  }
  i8(): number {
    return this.buf.readInt8(this.at(1));
  }
  u16(): number {
    return this.buf.readUInt16LE(this.at(2));
  }
  i16(): number {
    return this.buf.readInt16LE(this.at(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.at(4));
  }
  i32(): number {
    return this.buf.readInt32LE(this.at(4));
  }
  u64(): bigint {
    return this.buf.readBigUInt64LE(this.at(8));
  }
  i64(): bigint {
    return this.buf.readBigInt64LE(this.at(8));
  }
  f32(): number {
    return this.buf.readFloatLE(this.at(4));
  }
  f64(): number {
    return this.buf.readDoubleLE(this.at(8));
  }
  utf8(n: number): string {
    const o = this.at(n);
    return this.buf.toString('utf8', o, o + n);
  }
}
