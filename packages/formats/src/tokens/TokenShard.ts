import { open, rename, rm } from 'node:fs/promises';
import { FormatError } from '@puyu/core';

/**
 * Puyu token shards (`.ptok`): tokenized documents for training, written by the data
 * stage and read by the trainer. Little-endian throughout:
 *
 *   0   magic "PUYUTOK1"
 *   8   u32 version (1)
 *   12  u32 bytes per token (2 or 4)
 *   16  u64 token count N
 *   24  u64 document count D
 *   32  u32 vocabulary size (0 = unknown)
 *   36  u32 EOS id appended to each document (0xffffffff = none)
 *   40  24 bytes reserved (zero)
 *   64  N tokens
 *   …   u64[D + 1] document start offsets, in tokens (the last is N)
 *
 * Offsets come last so a writer can stream tokens without knowing the count up front.
 */
export const TOKEN_SHARD_MAGIC = 'PUYUTOK1';
const HEADER_BYTES = 64;
const NO_EOS = 0xffffffff;

export interface TokenShard {
  tokens: Uint16Array | Uint32Array;
  /** D + 1 document start offsets; document i is tokens[docStarts[i] .. docStarts[i+1]). */
  docStarts: Float64Array;
  vocabSize: number;
  eosId?: number;
}

export function shardDocCount(s: TokenShard): number {
  return s.docStarts.length - 1;
}

/** Builds an in-memory shard from token arrays (one per document). */
export function tokenShardFromDocs(docs: readonly ArrayLike<number>[], opts: { vocabSize?: number; eosId?: number } = {}): TokenShard {
  const total = docs.reduce((a, d) => a + d.length, 0);
  const wide = (opts.vocabSize ?? 0) > 65536 || docs.some((d) => Array.prototype.some.call(d, (x: number) => x > 0xffff));
  const tokens = wide ? new Uint32Array(total) : new Uint16Array(total);
  const docStarts = new Float64Array(docs.length + 1);
  let at = 0;
  docs.forEach((d, i) => {
    docStarts[i] = at;
    tokens.set(d as ArrayLike<number>, at);
    at += d.length;
  });
  docStarts[docs.length] = at;
  return { tokens, docStarts, vocabSize: opts.vocabSize ?? 0, eosId: opts.eosId };
}

/** Streams documents to a `.ptok` file; written to a temp name and renamed on close. */
export class TokenShardWriter {
  private nTokens = 0;
  private readonly starts: number[] = [0];
  private position = HEADER_BYTES;
  private constructor(
    private readonly fh: Awaited<ReturnType<typeof open>>,
    private readonly path: string,
    private readonly tmp: string,
    private readonly bytesPerToken: 2 | 4,
    private readonly vocabSize: number,
    private readonly eosId: number | undefined,
  ) {}

  static async create(path: string, opts: { vocabSize: number; eosId?: number }): Promise<TokenShardWriter> {
    const tmp = `${path}.tmp-${process.pid}`;
    const fh = await open(tmp, 'w');
    const bpt = opts.vocabSize > 65536 ? 4 : 2;
    return new TokenShardWriter(fh, path, tmp, bpt, opts.vocabSize, opts.eosId);
  }

  async addDocument(ids: ArrayLike<number>): Promise<void> {
    const buf = this.bytesPerToken === 2 ? Uint16Array.from(ids as ArrayLike<number>) : Uint32Array.from(ids as ArrayLike<number>);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || (this.vocabSize > 0 && id >= this.vocabSize)) {
        throw new FormatError(
          'TOKENS_BAD_ID',
          `token id ${id} is outside the vocabulary [0, ${this.vocabSize}); was the shard tokenized with another tokenizer?`,
        );
      }
    }
    await this.fh.write(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), 0, buf.byteLength, this.position);
    this.position += buf.byteLength;
    this.nTokens += ids.length;
    this.starts.push(this.nTokens);
  }

  async close(): Promise<void> {
    const offsets = new BigUint64Array(this.starts.map((s) => BigInt(s)));
    await this.fh.write(new Uint8Array(offsets.buffer), 0, offsets.byteLength, this.position);
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(TOKEN_SHARD_MAGIC, 0, 'ascii');
    header.writeUInt32LE(1, 8);
    header.writeUInt32LE(this.bytesPerToken, 12);
    header.writeBigUInt64LE(BigInt(this.nTokens), 16);
    header.writeBigUInt64LE(BigInt(this.starts.length - 1), 24);
    header.writeUInt32LE(this.vocabSize, 32);
    header.writeUInt32LE(this.eosId ?? NO_EOS, 36);
    await this.fh.write(header, 0, HEADER_BYTES, 0);
    await this.fh.sync();
    await this.fh.close();
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/** Writes a whole in-memory shard. */
export async function writeTokenShard(path: string, shard: TokenShard): Promise<void> {
  const w = await TokenShardWriter.create(path, { vocabSize: shard.vocabSize, eosId: shard.eosId });
  try {
    for (let i = 0; i < shard.docStarts.length - 1; i++)
      await w.addDocument(shard.tokens.subarray(shard.docStarts[i], shard.docStarts[i + 1]));
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
}

/** Reads and validates a `.ptok` file (tokens are loaded into memory: shards are meant to be modest). */
export async function readTokenShard(path: string): Promise<TokenShard> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new FormatError('TOKENS_NOT_FOUND', `cannot open token shard ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const size = (await fh.stat()).size;
    const bad = (why: string) =>
      new FormatError(
        'TOKENS_CORRUPT',
        `${path} is not a valid Puyu token shard: ${why}. Re-create it with \`puyu data tokenize\` or the TokenShardWriter.`,
      );
    if (size < HEADER_BYTES) throw bad(`only ${size} bytes`);
    const header = Buffer.alloc(HEADER_BYTES);
    await fh.read(header, 0, HEADER_BYTES, 0);
    if (header.toString('ascii', 0, 8) !== TOKEN_SHARD_MAGIC) throw bad('bad magic');
    const version = header.readUInt32LE(8);
    if (version !== 1) throw new FormatError('TOKENS_VERSION', `${path} is token-shard version ${version}; this Puyu reads version 1.`);
    const bpt = header.readUInt32LE(12);
    if (bpt !== 2 && bpt !== 4) throw bad(`bytes per token ${bpt}`);
    const n = Number(header.readBigUInt64LE(16));
    const d = Number(header.readBigUInt64LE(24));
    const expected = HEADER_BYTES + n * bpt + (d + 1) * 8;
    if (!Number.isSafeInteger(expected) || expected !== size)
      throw bad(`header says ${n} tokens in ${d} documents (${expected} bytes) but the file has ${size} bytes (truncated?)`);
    const tokBytes = new Uint8Array(n * bpt);
    await fh.read(tokBytes, 0, tokBytes.byteLength, HEADER_BYTES);
    const tokens = bpt === 2 ? new Uint16Array(tokBytes.buffer, 0, n) : new Uint32Array(tokBytes.buffer, 0, n);
    const offBytes = new Uint8Array((d + 1) * 8);
    await fh.read(offBytes, 0, offBytes.byteLength, HEADER_BYTES + n * bpt);
    const offs = new BigUint64Array(offBytes.buffer);
    const docStarts = new Float64Array(d + 1);
    for (let i = 0; i <= d; i++) {
      docStarts[i] = Number(offs[i]);
      if (i > 0 && docStarts[i] < docStarts[i - 1]) throw bad(`document offsets decrease at ${i}`);
    }
    if (docStarts[0] !== 0 || docStarts[d] !== n) throw bad('document offsets do not cover the tokens');
    const vocabSize = header.readUInt32LE(32);
    const eos = header.readUInt32LE(36);
    if (vocabSize > 0)
      for (let i = 0; i < n; i++)
        if (tokens[i] >= vocabSize) throw bad(`token ${tokens[i]} at ${i} is outside the vocabulary of ${vocabSize}`);
    return { tokens, docStarts, vocabSize, eosId: eos === NO_EOS ? undefined : eos };
  } finally {
    await fh.close();
  }
}
