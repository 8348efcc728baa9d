import { type FileHandle, open } from 'node:fs/promises';
import { FormatError } from '@puyu/core';
import { FileCursor } from './file-cursor.js';
import { type GgmlType, ggmlTypeName, isGgmlType, tensorByteSize } from './ggml-type.js';
import { DECODABLE_TYPES, decodeTensorData } from './quant.js';
import { type GgufMetadata, type GgufValue, GgufValueType, ggufPlain } from './types.js';
import { checkDeclared, isGgufValueType, readString, readValue } from './value-codec.js';

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** ggml's GGML_MAX_DIMS. */
export const GGML_MAX_DIMS = 4;

export interface GgufTensorInfo {
  readonly name: string;
  /** Dimensions in ggml order: ne[0] is the contiguous (row) dimension, i.e. reversed from PyTorch's shape. */
  readonly ne: readonly number[];
  readonly type: GgmlType;
  /** ggml's name for the type (`q4_K`, `f16`, …). */
  readonly typeName: string;
  /** Offset of the data relative to the start of the data section, as stored in the file. */
  readonly relativeOffset: number;
  /** Absolute offset of the first byte of data in the file. */
  readonly offset: number;
  readonly byteLength: number;
  readonly nElements: number;
}

export interface GgufOpenOptions {
  /** Header read-ahead chunk in bytes (default 1 MiB); tests use small chunks to exercise refills. */
  chunkSize?: number;
}

function magicError(path: string, got: Buffer): FormatError {
  const shown = [...got].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  return new FormatError('GGUF_BAD_MAGIC', `${path} is not a GGUF file: it starts with '${shown}' instead of 'GGUF'.`, {
    details: { path },
  });
}

/**
 * A GGUF file opened lazily: `open` parses only the header (metadata + tensor infos)
 * through a small read buffer, and tensor data is read on demand by name.
 */
export class GgufFile {
  private closed = false;
  private readonly byName: Map<string, GgufTensorInfo>;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly fileSize: number,
    readonly version: number,
    readonly metadata: GgufMetadata,
    readonly tensors: readonly GgufTensorInfo[],
    readonly alignment: number,
    /** Absolute offset of the data section (header end padded to `alignment`). */
    readonly dataOffset: number,
  ) {
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }

  static async open(path: string, options: GgufOpenOptions = {}): Promise<GgufFile> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new FormatError(
        code === 'ENOENT' ? 'GGUF_NOT_FOUND' : 'GGUF_UNREADABLE',
        `Cannot open GGUF file ${path}: ${(e as Error).message}. Check the path and permissions.`,
        { cause: e },
      );
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new FormatError('GGUF_UNREADABLE', `${path} is not a regular file; pass the path of a .gguf file.`);
      return await GgufFile.parse(path, fh, st.size, options);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  private static async parse(path: string, fh: FileHandle, fileSize: number, options: GgufOpenOptions): Promise<GgufFile> {
    const cur = new FileCursor(fh, fileSize, path, options.chunkSize);
    if (fileSize < 4) {
      const b = Buffer.alloc(fileSize);
      await fh.read(b, 0, fileSize, 0);
      if (fileSize === 0 || !Buffer.from('GGUF').subarray(0, fileSize).equals(b)) throw magicError(path, b);
    }
    await cur.need(4, 'magic');
    if (cur.u32() !== GGUF_MAGIC) {
      const b = Buffer.alloc(4);
      await fh.read(b, 0, 4, 0);
      throw magicError(path, b);
    }
    await cur.need(4, 'version');
    const version = cur.u32();
    if (version !== 2 && version !== 3) {
      const hint =
        version === 1
          ? 'GGUF v1 is obsolete; re-convert the model with a current llama.cpp.'
          : (version & 0xffff) === 0
            ? 'It looks big-endian; only little-endian GGUF files are supported.'
            : 'Only versions 2 and 3 are supported.';
      throw new FormatError('GGUF_UNSUPPORTED_VERSION', `${path} is GGUF version ${version}. ${hint}`, { details: { version } });
    }
    await cur.need(16, 'tensor and metadata counts');
    const nTensorsBig = cur.u64();
    const nKvBig = cur.u64();
    // Reject counts the file cannot hold before allocating anything for them
    // (a tensor info takes ≥ 32 bytes, a key-value pair ≥ 13).
    checkDeclared(cur, path, `${nKvBig} metadata entries`, nKvBig * 13n);
    checkDeclared(cur, path, `${nKvBig} metadata entries and ${nTensorsBig} tensor infos`, nKvBig * 13n + nTensorsBig * 32n);
    const nKv = Number(nKvBig);
    const nTensors = Number(nTensorsBig);

    const metadata: GgufMetadata = new Map();
    for (let i = 0; i < nKv; i++) {
      const key = await readString(cur, path, `key of metadata entry ${i}`);
      if (metadata.has(key)) {
        throw new FormatError('GGUF_DUPLICATE_KEY', `${path}: metadata key '${key}' appears twice. The file is corrupt.`, {
          details: { key },
        });
      }
      if (!cur.has(4)) await cur.need(4, `type of '${key}'`);
      const t = cur.u32();
      if (!isGgufValueType(t)) {
        throw new FormatError('GGUF_CORRUPT', `${path}: metadata '${key}' has unknown value type ${t} (at offset ${cur.pos - 4}).`, {
          details: { key, type: t },
        });
      }
      metadata.set(key, await readValue(cur, path, t, key));
    }

    const alignValue = metadata.get('general.alignment');
    let alignment = GGUF_DEFAULT_ALIGNMENT;
    if (alignValue) {
      if (alignValue.type !== GgufValueType.UINT32) {
        throw new FormatError(
          'GGUF_BAD_ALIGNMENT',
          `${path}: general.alignment must be a uint32 but is ${GgufValueType[alignValue.type]}.`,
        );
      }
      alignment = alignValue.value as number;
      if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
        throw new FormatError('GGUF_BAD_ALIGNMENT', `${path}: general.alignment ${alignment} is not a power of two.`);
      }
    }

    type Raw = { name: string; ne: number[]; type: GgmlType; rel: bigint };
    const raws: Raw[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < nTensors; i++) {
      const name = await readString(cur, path, `name of tensor ${i}`);
      if (seen.has(name)) {
        throw new FormatError('GGUF_DUPLICATE_TENSOR', `${path}: tensor name '${name}' appears twice. The file is corrupt.`, {
          details: { name },
        });
      }
      seen.add(name);
      if (!cur.has(4)) await cur.need(4, `dims of tensor '${name}'`);
      const nDims = cur.u32();
      if (nDims > GGML_MAX_DIMS) {
        throw new FormatError('GGUF_CORRUPT', `${path}: tensor '${name}' has ${nDims} dimensions (ggml allows at most ${GGML_MAX_DIMS}).`);
      }
      await cur.need(nDims * 8 + 12, `info of tensor '${name}'`);
      const ne: number[] = [];
      for (let d = 0; d < nDims; d++) {
        const v = cur.i64();
        if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new FormatError('GGUF_CORRUPT', `${path}: tensor '${name}' has an invalid dimension ${v}.`, { details: { name } });
        }
        ne.push(Number(v));
      }
      const type = cur.u32();
      if (!isGgmlType(type)) {
        throw new FormatError(
          'GGUF_UNKNOWN_TYPE',
          `${path}: tensor '${name}' has unknown ggml type id ${type}. The file is corrupt or needs a newer reader.`,
          { details: { name, type } },
        );
      }
      raws.push({ name, ne, type, rel: cur.u64() });
    }

    const headerEnd = cur.pos;
    const dataOffset = Math.ceil(headerEnd / alignment) * alignment;
    const tensors: GgufTensorInfo[] = raws.map(({ name, ne, type, rel }) => {
      let byteLength: number;
      try {
        byteLength = tensorByteSize(type, ne);
      } catch (e) {
        throw new FormatError('GGUF_CORRUPT', `${path}: tensor '${name}': ${(e as Error).message}`, { cause: e, details: { name } });
      }
      if (rel % BigInt(alignment) !== 0n) {
        throw new FormatError(
          'GGUF_CORRUPT',
          `${path}: tensor '${name}' data offset ${rel} is not a multiple of the alignment ${alignment}.`,
        );
      }
      const end = BigInt(dataOffset) + rel + BigInt(byteLength);
      if (end > BigInt(fileSize)) {
        throw new FormatError(
          'GGUF_TRUNCATED',
          `${path}: data of tensor '${name}' ends at byte ${end} but the file has only ${fileSize} bytes. The file is truncated.`,
          { details: { name, end: end.toString(), fileSize } },
        );
      }
      const relativeOffset = Number(rel);
      const nElements = ne.reduce((a, b) => a * b, 1);
      return { name, ne, type, typeName: ggmlTypeName(type), relativeOffset, offset: dataOffset + relativeOffset, byteLength, nElements };
    });
    return new GgufFile(path, fh, fileSize, version, metadata, tensors, alignment, dataOffset);
  }

  /** `general.architecture`, e.g. `internlm2` or `llama`. */
  get architecture(): string | undefined {
    return this.getString('general.architecture');
  }

  get(key: string): GgufValue | undefined {
    return this.metadata.get(key);
  }

  /** A string value; undefined when absent; FormatError when the key holds another type. */
  getString(key: string): string | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    if (v.type !== GgufValueType.STRING) throw this.typeError(key, 'a string', v);
    return v.value as string;
  }

  /** Any numeric scalar as a JS number (64-bit values must be safe integers). */
  getNumber(key: string): number | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    if (v.type === GgufValueType.ARRAY || v.type === GgufValueType.STRING || v.type === GgufValueType.BOOL)
      throw this.typeError(key, 'a number', v);
    if (typeof v.value === 'bigint') {
      if (v.value > BigInt(Number.MAX_SAFE_INTEGER) || v.value < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new FormatError(
          'GGUF_BAD_VALUE',
          `${this.path}: metadata '${key}' = ${v.value} does not fit a JS number; use get() for the bigint.`,
        );
      }
      return Number(v.value);
    }
    return v.value as number;
  }

  getBool(key: string): boolean | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    if (v.type !== GgufValueType.BOOL) throw this.typeError(key, 'a bool', v);
    return v.value as boolean;
  }

  /** An array's items as plain JS values (nested arrays become nested JS arrays). */
  getArray(key: string): unknown[] | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    if (v.type !== GgufValueType.ARRAY) throw this.typeError(key, 'an array', v);
    return ggufPlain(v) as unknown[];
  }

  private typeError(key: string, want: string, v: GgufValue): FormatError {
    return new FormatError('GGUF_BAD_VALUE', `${this.path}: metadata '${key}' should be ${want} but is ${GgufValueType[v.type]}.`, {
      details: { key },
    });
  }

  tensor(name: string): GgufTensorInfo | undefined {
    return this.byName.get(name);
  }

  /** The tensor's info; GGUF_TENSOR_NOT_FOUND when absent. */
  requireTensor(name: string): GgufTensorInfo {
    const t = this.byName.get(name);
    if (!t) {
      throw new FormatError('GGUF_TENSOR_NOT_FOUND', `${this.path} has no tensor '${name}' (it has ${this.tensors.length} tensors).`, {
        details: { name },
      });
    }
    return t;
  }

  /** The tensor's raw bytes as stored (any type). */
  async readTensorBytes(name: string): Promise<Uint8Array> {
    this.checkOpen();
    const t = this.requireTensor(name);
    const out = new Uint8Array(t.byteLength);
    let got = 0;
    while (got < t.byteLength) {
      // One read call is capped (the OS moves at most ~2 GiB per read), so big tensors read in pieces.
      const { bytesRead } = await this.fh.read(out, got, Math.min(t.byteLength - got, 1 << 30), t.offset + got);
      if (bytesRead === 0) throw new FormatError('GGUF_TRUNCATED', `${this.path}: file ended while reading tensor '${name}'.`);
      got += bytesRead;
    }
    return out;
  }

  /** The tensor as f32 values in ggml order; supports f32, f16, bf16, q8_0, q4_0. */
  async readTensorF32(name: string): Promise<Float32Array> {
    const t = this.requireTensor(name);
    // Check support before reading: a clear error beats reading a GB and then failing.
    if (!DECODABLE_TYPES.includes(t.type)) decodeTensorData(t.type, new Uint8Array(0), 0);
    return decodeTensorData(t.type, await this.readTensorBytes(name), t.nElements);
  }

  private checkOpen(): void {
    if (this.closed) throw new FormatError('GGUF_CLOSED', `${this.path} was closed; open it again to read tensors.`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
