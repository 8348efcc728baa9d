import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { FormatError, PuyuError } from '@puyu/core';
import type { GgufFile } from './GgufFile.js';
import { GGML_MAX_DIMS, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION } from './GgufFile.js';
import { GgmlType, ggmlTypeName, tensorByteSize, tensorElementCount } from './ggml-type.js';
import { ENCODABLE_TYPES, encodeTensorData } from './quant.js';
import { type GgufMetadata, type GgufValue, GgufValueType, gv } from './types.js';
import { ByteSink, writeValue } from './value-codec.js';

/** ggml's GGML_MAX_NAME: tensor names must be shorter than this many bytes or llama.cpp refuses the file. */
export const GGML_MAX_NAME = 64;

type Lazy<T> = T | (() => T | Promise<T>);

export interface GgufWriterOptions {
  /** Data alignment in bytes, a power of two (default 32). Other values are recorded as `general.alignment`. */
  alignment?: number;
}

export interface GgufWriteResult {
  path: string;
  /** Total file size in bytes. */
  bytes: number;
  tensors: number;
  /** Absolute offset of the data section. */
  dataOffset: number;
}

interface PendingTensor {
  name: string;
  ne: number[];
  type: GgmlType;
  byteLength: number;
  bytes: () => Promise<Uint8Array>;
}

function badTensor(name: string, msg: string, code = 'GGUF_BAD_TENSOR'): FormatError {
  return new FormatError(code, `Tensor '${name}': ${msg}.`, { details: { name } });
}

function resolve<T>(v: Lazy<T>): Promise<T> {
  return Promise.resolve(typeof v === 'function' ? (v as () => T | Promise<T>)() : v);
}

/**
 * Builds a GGUF v3 file: metadata in insertion order, then tensor infos, then aligned data.
 * Tensor data may be given lazily (a function), so a converter can produce one tensor at a
 * time; `write` streams tensors to a temp file and renames it into place, so readers never
 * see a half-written model.
 */
export class GgufWriter {
  readonly metadata: GgufMetadata = new Map();
  private readonly pending: PendingTensor[] = [];
  private readonly names = new Set<string>();
  private align = GGUF_DEFAULT_ALIGNMENT;

  constructor(options: GgufWriterOptions = {}) {
    if (options.alignment !== undefined && options.alignment !== GGUF_DEFAULT_ALIGNMENT)
      this.set('general.alignment', gv.u32(options.alignment));
  }

  get alignment(): number {
    return this.align;
  }

  get tensorCount(): number {
    return this.pending.length;
  }

  /** Sets a metadata value; a key set twice keeps its first position and takes the new value. */
  set(key: string, value: GgufValue): this {
    if (typeof key !== 'string' || key.length === 0) throw new FormatError('GGUF_BAD_VALUE', 'Metadata keys must be non-empty strings.');
    if (key === 'general.alignment') {
      const a = value.type === GgufValueType.UINT32 ? (value.value as number) : Number.NaN;
      if (!Number.isInteger(a) || a <= 0 || (a & (a - 1)) !== 0) {
        throw new FormatError(
          'GGUF_BAD_ALIGNMENT',
          `general.alignment must be a uint32 power of two (got ${String(value.type === GgufValueType.ARRAY ? 'an array' : value.value)}).`,
        );
      }
      this.align = a;
    }
    this.metadata.set(key, value);
    return this;
  }

  /** Sets many values, in the given order. */
  setAll(entries: Iterable<readonly [string, GgufValue]>): this {
    for (const [k, v] of entries) this.set(k, v);
    return this;
  }

  private register(name: string, ne: readonly number[], type: GgmlType): number {
    if (typeof name !== 'string' || name.length === 0) throw badTensor(String(name), 'name must be a non-empty string');
    if (Buffer.byteLength(name, 'utf8') >= GGML_MAX_NAME)
      throw badTensor(name, `name must be shorter than ${GGML_MAX_NAME} bytes (ggml's limit)`);
    if (this.names.has(name)) throw badTensor(name, 'added twice', 'GGUF_DUPLICATE_TENSOR');
    if (ne.length < 1 || ne.length > GGML_MAX_DIMS) throw badTensor(name, `needs 1 to ${GGML_MAX_DIMS} dims, got [${ne.join(', ')}]`);
    const byteLength = tensorByteSize(type, ne);
    this.names.add(name);
    return byteLength;
  }

  /**
   * Adds a tensor from f32 values in ggml order (ne[0] varies fastest), stored as `type`
   * (f32, f16, bf16, q8_0 or q4_0; quantized exactly as ggml's reference code does).
   * `data` may be a function: it is then called only while writing.
   */
  addTensor(name: string, ne: readonly number[], data: Lazy<Float32Array>, type: GgmlType = GgmlType.F32): this {
    if (!ENCODABLE_TYPES.includes(type)) {
      throw badTensor(
        name,
        `cannot encode f32 data as ${ggmlTypeName(type)} in TS (supported: f32, f16, bf16, q8_0, q4_0); use addTensorBytes`,
        'GGUF_UNSUPPORTED_QUANT',
      );
    }
    const n = tensorElementCount(ne);
    if (data instanceof Float32Array && data.length !== n)
      throw badTensor(name, `shape [${ne.join(', ')}] needs ${n} values, got ${data.length}`);
    const byteLength = this.register(name, ne, type);
    this.pending.push({
      name,
      ne: [...ne],
      type,
      byteLength,
      bytes: async () => {
        const values = await resolve(data);
        if (!(values instanceof Float32Array) || values.length !== n) {
          throw badTensor(name, `shape [${ne.join(', ')}] needs a Float32Array of ${n} values, got ${values?.length ?? String(values)}`);
        }
        return encodeTensorData(type, values);
      },
    });
    return this;
  }

  /** Adds a tensor of any type from its raw bytes as they go on disk (or a function producing them). */
  addTensorBytes(name: string, ne: readonly number[], type: GgmlType, bytes: Lazy<Uint8Array>): this {
    const byteLength = this.register(name, ne, type);
    if (bytes instanceof Uint8Array && bytes.byteLength !== byteLength) {
      throw badTensor(name, `${ggmlTypeName(type)} [${ne.join(', ')}] takes ${byteLength} bytes, got ${bytes.byteLength}`);
    }
    this.pending.push({ name, ne: [...ne], type, byteLength, bytes: () => resolve(bytes) });
    return this;
  }

  /** Copies metadata (except alignment) and tensors of an open file; tensor bytes are read while writing. */
  copyFrom(file: GgufFile): this {
    for (const [k, v] of file.metadata) if (k !== 'general.alignment') this.set(k, v);
    for (const t of file.tensors) this.addTensorBytes(t.name, t.ne, t.type, () => file.readTensorBytes(t.name));
    return this;
  }

  /** The header (magic … tensor infos) padded to the alignment. */
  private header(): Buffer {
    const s = new ByteSink();
    s.u32(GGUF_MAGIC);
    s.u32(GGUF_VERSION);
    s.u64(BigInt(this.pending.length));
    s.u64(BigInt(this.metadata.size));
    for (const [key, value] of this.metadata) {
      s.str(key);
      s.u32(value.type);
      writeValue(s, value, key);
    }
    let off = 0;
    for (const t of this.pending) {
      s.str(t.name);
      s.u32(t.ne.length);
      for (const d of t.ne) s.i64(BigInt(d));
      s.u32(t.type);
      s.u64(BigInt(off));
      off += this.pad(t.byteLength);
    }
    s.zeros(this.pad(s.length) - s.length);
    return s.bytes();
  }

  private pad(n: number): number {
    return Math.ceil(n / this.align) * this.align;
  }

  /** Writes the file to `path` atomically (temp file in the same folder, then rename). */
  async write(path: string): Promise<GgufWriteResult> {
    const header = this.header();
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    let fh: FileHandle | undefined;
    try {
      fh = await open(tmp, 'w');
      let pos = 0;
      const put = async (b: Uint8Array): Promise<void> => {
        let done = 0;
        while (done < b.byteLength) {
          const { bytesWritten } = await (fh as FileHandle).write(b, done, Math.min(b.byteLength - done, 1 << 30), pos + done);
          done += bytesWritten;
        }
        pos += b.byteLength;
      };
      await put(header);
      const zeros = new Uint8Array(this.align);
      for (const t of this.pending) {
        const bytes = await t.bytes();
        if (!(bytes instanceof Uint8Array) || bytes.byteLength !== t.byteLength) {
          throw badTensor(
            t.name,
            `${t.type === GgmlType.F32 ? 'f32' : ggmlTypeName(t.type)} [${t.ne.join(', ')}] takes ${t.byteLength} bytes, got ${bytes?.byteLength}`,
          );
        }
        await put(bytes);
        const padding = this.pad(t.byteLength) - t.byteLength;
        if (padding > 0) await put(zeros.subarray(0, padding));
      }
      await fh.sync();
      await fh.close();
      fh = undefined;
      await rename(tmp, path);
      return { path, bytes: pos, tensors: this.pending.length, dataOffset: header.byteLength };
    } catch (e) {
      await fh?.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      if (e instanceof PuyuError) throw e;
      throw new FormatError('GGUF_WRITE_FAILED', `Could not write GGUF file ${path}: ${(e as Error).message}.`, { cause: e });
    }
  }
}
