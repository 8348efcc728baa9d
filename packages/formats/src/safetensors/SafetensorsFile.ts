/**
 * Lazy reader of one `.safetensors` file. Only the header is read at open; each
 * tensor is read on demand through a file handle, so a 15 GB shard never sits in
 * the JS heap (contrast: `fs.readFile`, which also caps at 2 GB).
 */
import { type FileHandle, open, stat } from 'node:fs/promises';
import { FormatError } from '@puyu/core';
import { MAX_HEADER_BYTES, parseHeader, type SafetensorsTensorInfo } from './header.js';
import type { SafetensorsReader } from './SafetensorsReader.js';
import { isLittleEndianHost, toFloat32 } from './toFloat32.js';

/** Maps a filesystem error to a FormatError with a sentence a user can act on. */
export function ioError(path: string, e: unknown, doing: string): FormatError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') {
    return new FormatError(
      'SAFETENSORS_NOT_FOUND',
      `${path} does not exist; check the path (a model folder needs model.safetensors or model.safetensors.index.json).`,
      {
        cause: e,
        details: { path },
      },
    );
  }
  return new FormatError(
    'SAFETENSORS_IO',
    `${path}: ${doing} failed (${code ?? (e as Error)?.message ?? String(e)}); check permissions and free disk space.`,
    {
      cause: e,
      details: { path },
    },
  );
}

/** Reads exactly `length` bytes at `position`, looping over short reads. */
async function readExactly(handle: FileHandle, into: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    // One read(2) moves at most ~2 GiB on Linux, hence the loop even for regular files.
    const { bytesRead } = await handle.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0) {
      throw new FormatError(
        'SAFETENSORS_TRUNCATED',
        `${path} ended after ${position + done} bytes while reading; the file shrank or is truncated. Re-download or re-export it.`,
        {
          details: { path },
        },
      );
    }
    done += bytesRead;
  }
}

/** Names formats people confuse with safetensors, from their first bytes. */
function otherFormat(prefix: Uint8Array): string | undefined {
  const head = Buffer.from(prefix.buffer, 0, 4).toString('latin1');
  if (head === 'GGUF') return 'a GGUF file';
  if (head === 'PK\x03\x04') return 'a zip archive (a PyTorch .bin/.pt checkpoint?)';
  if (prefix[0] === 0x80 && prefix[1] >= 2 && prefix[1] <= 5) return 'a Python pickle (a legacy PyTorch checkpoint?)';
  return undefined;
}

export class SafetensorsFile implements SafetensorsReader {
  readonly tensors: readonly SafetensorsTensorInfo[];
  private readonly byName: Map<string, SafetensorsTensorInfo>;
  private handle: FileHandle | undefined;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    tensors: SafetensorsTensorInfo[],
    readonly metadata: Readonly<Record<string, string>> | undefined,
    /** Absolute file offset of the data section: 8 + header length. */
    readonly dataStart: number,
    readonly fileSize: number,
  ) {
    this.handle = handle;
    this.tensors = tensors;
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }

  /** Opens and validates `path`; throws FormatError (SAFETENSORS_*) on any problem, never leaks the handle. */
  static async open(path: string): Promise<SafetensorsFile> {
    let size: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) {
        throw new FormatError(
          'SAFETENSORS_NOT_A_FILE',
          `${path} is not a regular file; pass a .safetensors file (or use openSafetensorsModel for a folder).`,
          {
            details: { path },
          },
        );
      }
      size = st.size;
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw ioError(path, e, 'stat');
    }
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw ioError(path, e, 'open');
    }
    try {
      if (size < 8) {
        throw new FormatError(
          'SAFETENSORS_TRUNCATED',
          `${path} is ${size} bytes, shorter than the 8-byte safetensors length prefix; the file is truncated or empty.`,
          {
            details: { path, size },
          },
        );
      }
      const prefix = new Uint8Array(8);
      await readExactly(handle, prefix, 0, path);
      const n = Buffer.from(prefix.buffer).readBigUInt64LE(0);
      // Only an impossible length prefix is blamed on another format: a small valid one can share these bytes.
      const other = n > BigInt(size - 8) ? otherFormat(prefix) : undefined;
      if (other !== undefined) {
        throw new FormatError(
          'SAFETENSORS_WRONG_FORMAT',
          `${path} is ${other}, not safetensors; open it with the matching reader or convert it first.`,
          {
            details: { path },
          },
        );
      }
      if (n > BigInt(MAX_HEADER_BYTES)) {
        throw new FormatError(
          'SAFETENSORS_HEADER_TOO_LARGE',
          `${path} declares a ${n}-byte header; more than ${MAX_HEADER_BYTES} bytes is refused (real headers are kilobytes). The file is corrupt or not safetensors.`,
          { details: { path, headerBytes: n.toString() } },
        );
      }
      const headerLength = Number(n);
      if (8 + headerLength > size) {
        throw new FormatError(
          'SAFETENSORS_TRUNCATED',
          `${path} declares a ${headerLength}-byte header but the file has only ${size - 8} bytes after the length prefix; the file is truncated or not safetensors.`,
          { details: { path, headerBytes: headerLength, size } },
        );
      }
      const headerBytes = new Uint8Array(headerLength);
      await readExactly(handle, headerBytes, 8, path);
      const { tensors, metadata } = parseHeader(headerBytes, size - 8 - headerLength, path);
      return new SafetensorsFile(path, handle, tensors, metadata, 8 + headerLength, size);
    } catch (e) {
      await handle.close().catch(() => undefined);
      if (e instanceof FormatError) throw e;
      throw ioError(path, e, 'reading the header');
    }
  }

  get names(): string[] {
    return this.tensors.map((t) => t.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  info(name: string): SafetensorsTensorInfo {
    const t = this.byName.get(name);
    if (t === undefined) {
      throw new FormatError(
        'SAFETENSORS_TENSOR_NOT_FOUND',
        `${this.path} has no tensor "${name}" (it holds ${this.tensors.length} tensors); check the name against .tensors.`,
        {
          details: { path: this.path, tensor: name },
        },
      );
    }
    return t;
  }

  async readRaw(name: string): Promise<Uint8Array> {
    const t = this.info(name);
    const handle = this.handle;
    if (handle === undefined) {
      throw new FormatError('SAFETENSORS_CLOSED', `${this.path} was closed; open it again before reading "${name}".`, {
        details: { path: this.path },
      });
    }
    // A fresh Uint8Array (not the Buffer pool) so typed views over it are always aligned.
    const out = new Uint8Array(t.byteLength);
    try {
      await readExactly(handle, out, this.dataStart + t.dataOffsets[0], this.path);
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw ioError(this.path, e, `reading tensor "${name}"`);
    }
    return out;
  }

  async readF32(name: string): Promise<Float32Array> {
    const t = this.info(name);
    const raw = await this.readRaw(name);
    // readRaw's buffer is fresh and ours: F32 needs a view, not the copy toFloat32 makes for callers' buffers.
    if (t.dtype === 'F32' && isLittleEndianHost()) return new Float32Array(raw.buffer, raw.byteOffset, t.elementCount);
    return toFloat32(t.dtype, raw, name);
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
