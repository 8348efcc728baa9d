/**
 * ZIP handling for uploads and a guard for ZIP-based documents (DOCX). The central directory is
 * read first and the archive refused, before any byte is inflated, when its entries would expand
 * past the total, per-entry-ratio or count limits (the classic zip bomb declares its sizes
 * honestly; 42.zip-style nesting is not followed: archives inside archives are not expanded).
 * Declared sizes can lie, so each entry is then inflated with zlib's `maxOutputLength` set to
 * what is left of the budget: a lying entry fails there instead of filling memory.
 */
import { inflateRawSync } from 'node:zlib';
import { AssistantError } from './errors.js';

export interface ArchiveLimits {
  /** Most bytes all entries may expand to (default 200 MiB). */
  maxTotalBytes?: number;
  /** Most expansion for one entry, uncompressed / compressed (default 200: text compresses ~10×, bombs ~1000×). */
  maxRatio?: number;
  /** Most entries (default 10 000). */
  maxEntries?: number;
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function bad(name: string, why: string): AssistantError {
  return new AssistantError('ASSISTANT_BAD_ARCHIVE', `${name} is not a readable ZIP archive: ${why}.`);
}

/** The central directory's entries (no data read). */
export function zipEntries(buf: Buffer, name = 'archive'): ZipEntry[] {
  // The end-of-central-directory record sits in the last 22 + 65535 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad(name, 'no end-of-central-directory record (truncated?)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) throw bad(name, 'ZIP64 archives are not supported');
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw bad(name, 'the central directory is damaged');
    const flags = buf.readUInt16LE(p + 8);
    if (flags & 1) throw bad(name, 'it is encrypted');
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
      localHeaderOffset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Throws ASSISTANT_ARCHIVE_BOMB when the declared sizes break a limit. */
export function checkZipBomb(buf: Buffer, name: string, limits: ArchiveLimits = {}): ZipEntry[] {
  const maxTotal = limits.maxTotalBytes ?? 200 * 2 ** 20;
  const maxRatio = limits.maxRatio ?? 200;
  const maxEntries = limits.maxEntries ?? 10_000;
  const entries = zipEntries(buf, name);
  if (entries.length > maxEntries)
    throw new AssistantError(
      'ASSISTANT_ARCHIVE_BOMB',
      `${name} holds ${entries.length} entries, over the limit of ${maxEntries}; refused.`,
    );
  let total = 0;
  for (const e of entries) {
    total += e.size;
    const ratio = e.size / Math.max(1, e.compressedSize);
    if (ratio > maxRatio && e.size > 1 << 20)
      throw new AssistantError(
        'ASSISTANT_ARCHIVE_BOMB',
        `${name}: entry ${e.name} expands ${Math.round(ratio)}× (${e.compressedSize} → ${e.size} bytes), over the limit of ${maxRatio}×; refused as an archive bomb.`,
        { details: { entry: e.name, ratio } },
      );
  }
  if (total > maxTotal)
    throw new AssistantError('ASSISTANT_ARCHIVE_BOMB', `${name} would expand to ${total} bytes, over the limit of ${maxTotal}; refused.`, {
      details: { total },
    });
  return entries;
}

/** Files of a ZIP (directories skipped), after checkZipBomb, each inflated under the remaining budget. */
export function unzip(buf: Buffer, name: string, limits: ArchiveLimits = {}): { name: string; data: Buffer }[] {
  const entries = checkZipBomb(buf, name, limits);
  let budget = limits.maxTotalBytes ?? 200 * 2 ** 20;
  const out: { name: string; data: Buffer }[] = [];
  for (const e of entries) {
    if (e.name.endsWith('/')) continue;
    const h = e.localHeaderOffset;
    if (h + 30 > buf.length || buf.readUInt32LE(h) !== LOCAL) throw bad(name, `the local header of ${e.name} is damaged`);
    const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
    const raw = buf.subarray(start, start + e.compressedSize);
    let data: Buffer;
    if (e.method === 0) data = Buffer.from(raw);
    else if (e.method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, Math.min(budget, e.size + 1)) });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
          throw new AssistantError(
            'ASSISTANT_ARCHIVE_BOMB',
            `${name}: entry ${e.name} expands past its declared size or the budget; refused.`,
          );
        throw bad(name, `entry ${e.name} does not inflate (${(err as Error).message})`);
      }
    } else throw bad(name, `entry ${e.name} uses compression method ${e.method} (only stored and deflate are read)`);
    if (data.length > e.size)
      throw new AssistantError('ASSISTANT_ARCHIVE_BOMB', `${name}: entry ${e.name} is larger than declared; refused.`);
    budget -= data.length;
    out.push({ name: e.name, data });
  }
  return out;
}
