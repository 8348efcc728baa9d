import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

/** The compression a path's extension names. */
export function compressionOf(path: string): 'gzip' | 'zstd' | 'none' {
  if (/\.gz$/i.test(path)) return 'gzip';
  if (/\.zst(d)?$/i.test(path)) return 'zstd';
  return 'none';
}

/** The path without its compression suffix (`a.jsonl.zst` → `a.jsonl`). */
export function stripCompression(path: string): string {
  return path.replace(/\.(gz|zstd?)$/i, '');
}

/**
 * A file's bytes as an async stream of chunks, decompressed by extension: node:zlib for gzip,
 * fzstd (pure JS, streaming) for zstd. A corrupt compressed stream ends the stream with an error
 * the reader counts; it never throws past the reader.
 */
export async function* readBytes(path: string): AsyncGenerator<Uint8Array> {
  const kind = compressionOf(path);
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  if (kind === 'none') {
    yield* file as AsyncIterable<Buffer>;
    return;
  }
  if (kind === 'gzip') {
    yield* file.pipe(createGunzip()) as AsyncIterable<Buffer>;
    return;
  }
  const out: Uint8Array[] = [];
  const zstd = new Decompress((chunk) => {
    out.push(chunk);
  });
  for await (const chunk of file as AsyncIterable<Buffer>) {
    zstd.push(chunk);
    while (out.length > 0) yield out.shift() as Uint8Array;
  }
  zstd.push(new Uint8Array(0), true);
  while (out.length > 0) yield out.shift() as Uint8Array;
}

export function bytesReadable(path: string): Readable {
  return Readable.from(readBytes(path));
}
