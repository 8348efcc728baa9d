/**
 * Streams tensors to a `.safetensors` file laid out like the Rust reference
 * (`serialize_to_file`): tensors sorted by descending dtype alignment then name,
 * compact header padded with spaces to 8 bytes. Written to a temp file in the same
 * folder and renamed, so readers never see a half-written checkpoint.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FormatError } from '@puyu/core';
import { f32ToBf16Array, f32ToF16Array } from '../numeric/half.js';
import { DTYPE_BYTES, dtypeRank, isSafetensorsDtype, type SafetensorsDtype } from './dtype.js';
import { elementCount, encodeHeader, type SafetensorsTensorInfo } from './header.js';
import { ioError } from './SafetensorsFile.js';

export type TensorData = Float32Array | Uint8Array;

export interface SafetensorsTensorInput {
  readonly name: string;
  /** F32/F16/BF16 accept f32 values (converted, round-to-nearest-even); any dtype accepts raw LE bytes. */
  readonly dtype: SafetensorsDtype;
  /** PyTorch order (outermost first). */
  readonly shape: readonly number[];
  /** The values, or a function producing them when written (one tensor in memory at a time). */
  readonly data: TensorData | (() => TensorData | Promise<TensorData>);
}

export interface WrittenSafetensors {
  readonly path: string;
  /** Total file size. */
  readonly byteLength: number;
  /** In file order. */
  readonly tensors: SafetensorsTensorInfo[];
}

/** Elements converted per write; bounds the temporary f16/bf16 buffer to 2 MiB. */
const CHUNK = 1 << 20;

function badTensor(name: string, what: string): FormatError {
  return new FormatError('SAFETENSORS_BAD_TENSOR', `cannot write tensor "${name}": ${what}.`, { details: { tensor: name } });
}

/** Byte-wise (UTF-8) name order, as Rust's `String::cmp`. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Checks names, dtypes and shapes up front, before any byte is written. */
export function planSafetensors(tensors: readonly SafetensorsTensorInput[]): {
  order: SafetensorsTensorInput[];
  infos: SafetensorsTensorInfo[];
} {
  const seen = new Set<string>();
  for (const t of tensors) {
    if (typeof t.name !== 'string' || t.name === '' || t.name === '__metadata__')
      throw badTensor(String(t.name), 'names must be non-empty and not "__metadata__"');
    if (seen.has(t.name)) throw badTensor(t.name, 'the name appears twice');
    seen.add(t.name);
    if (!isSafetensorsDtype(t.dtype)) throw badTensor(t.name, `unknown dtype ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw badTensor(t.name, 'shape must be an array of non-negative integers');
    }
    if (elementCount(t.shape) === undefined) throw badTensor(t.name, 'shape is too large');
  }
  const order = [...tensors].sort((a, b) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || compareNames(a.name, b.name));
  let offset = 0;
  const infos = order.map((t): SafetensorsTensorInfo => {
    const count = elementCount(t.shape) as number;
    const bytes = count * DTYPE_BYTES[t.dtype];
    const info = {
      name: t.name,
      dtype: t.dtype,
      shape: [...t.shape],
      dataOffsets: [offset, offset + bytes] as const,
      byteLength: bytes,
      elementCount: count,
    };
    offset += bytes;
    return info;
  });
  return { order, infos };
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done);
    done += bytesWritten;
  }
}

/** Writes one tensor's bytes, converting f32 → F16/BF16 chunk by chunk. */
async function writeTensor(handle: FileHandle, t: SafetensorsTensorInput, info: SafetensorsTensorInfo): Promise<void> {
  const data = typeof t.data === 'function' ? await t.data() : t.data;
  if (data instanceof Float32Array) {
    if (data.length !== info.elementCount)
      throw badTensor(t.name, `shape [${t.shape.join(', ')}] needs ${info.elementCount} values, got ${data.length}`);
    if (t.dtype === 'F32') return writeAll(handle, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (t.dtype !== 'F16' && t.dtype !== 'BF16')
      throw badTensor(t.name, `f32 values can be written as F32, F16 or BF16, not ${t.dtype}; pass raw bytes instead`);
    const convert = t.dtype === 'F16' ? f32ToF16Array : f32ToBf16Array;
    for (let i = 0; i < data.length; i += CHUNK) {
      const half = convert(data.subarray(i, Math.min(i + CHUNK, data.length)));
      await writeAll(handle, new Uint8Array(half.buffer, 0, half.byteLength));
    }
    return;
  }
  if (data instanceof Uint8Array) {
    if (data.byteLength !== info.byteLength) {
      throw badTensor(t.name, `${t.dtype} [${t.shape.join(', ')}] is ${info.byteLength} bytes, got ${data.byteLength} raw bytes`);
    }
    return writeAll(handle, data);
  }
  throw badTensor(t.name, 'data must be a Float32Array or a Uint8Array of raw bytes');
}

/** A unique sibling temp name, so the final rename is atomic (same filesystem). */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `tensors` (+ optional `__metadata__` strings) to `path` atomically.
 * Throws FormatError SAFETENSORS_BAD_TENSOR for invalid input (nothing is left on disk).
 */
export async function writeSafetensors(
  path: string,
  tensors: readonly SafetensorsTensorInput[],
  metadata?: Readonly<Record<string, string>>,
): Promise<WrittenSafetensors> {
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new FormatError('SAFETENSORS_BAD_METADATA', `safetensors metadata must map strings to strings; "${k}" is ${typeof v}.`);
    }
  }
  const { order, infos } = planSafetensors(tensors);
  const header = encodeHeader(infos, metadata);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.byteLength));
  const dataBytes = infos.reduce((s, t) => s + t.byteLength, 0);

  const temp = tempPathFor(path);
  let handle: FileHandle | undefined;
  try {
    try {
      handle = await open(temp, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new FormatError(
          'SAFETENSORS_NOT_FOUND',
          `cannot write ${path}: the folder ${dirname(path)} does not exist; create it first.`,
          {
            cause: e,
            details: { path },
          },
        );
      }
      throw ioError(path, e, 'creating the output file');
    }
    try {
      await writeAll(handle, prefix);
      await writeAll(handle, header);
      for (let i = 0; i < order.length; i++) await writeTensor(handle, order[i], infos[i]);
      // Flush before the rename: after a crash the name points at complete data or at nothing new.
      await handle.datasync();
      await handle.close();
      handle = undefined;
      await rename(temp, path);
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw ioError(path, e, 'writing');
    }
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  return { path, byteLength: 8 + header.byteLength + dataBytes, tensors: infos };
}
