import { readFile, writeFile } from 'node:fs/promises';
import { DataError } from '../errors.js';

const MAGIC = 'PUYUMH01';
const HEADER = 24;

export interface SignatureSet {
  permutations: number;
  ngram: number;
  seed: number;
  /** Per document: its shingle count (0: empty text) and signature. */
  shingles: Uint32Array;
  signatures: Uint32Array;
}

/**
 * A shard's MinHash signatures, in document order: `PUYUMH01`, permutations, n-gram size, seed
 * and count (u32 LE each), then per document its shingle count and `permutations` u32 values.
 */
export async function writeSignatureFile(path: string, s: SignatureSet): Promise<void> {
  const n = s.shingles.length;
  const buf = Buffer.alloc(HEADER + n * (1 + s.permutations) * 4);
  buf.write(MAGIC, 0, 'ascii');
  buf.writeUInt32LE(s.permutations, 8);
  buf.writeUInt32LE(s.ngram, 12);
  buf.writeUInt32LE(s.seed, 16);
  buf.writeUInt32LE(n, 20);
  let o = HEADER;
  for (let i = 0; i < n; i++) {
    buf.writeUInt32LE(s.shingles[i] as number, o);
    o += 4;
    const sig = s.signatures.subarray(i * s.permutations, (i + 1) * s.permutations);
    Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).copy(buf, o);
    o += sig.byteLength;
  }
  await writeFile(path, buf);
}

export async function readSignatureFile(path: string): Promise<SignatureSet> {
  const buf = await readFile(path);
  if (buf.length < HEADER || buf.toString('ascii', 0, 8) !== MAGIC)
    throw new DataError('DATA_BAD_SIGNATURES', `${path} is not a MinHash signature file.`);
  const permutations = buf.readUInt32LE(8);
  const n = buf.readUInt32LE(20);
  if (buf.length !== HEADER + n * (1 + permutations) * 4)
    throw new DataError(
      'DATA_BAD_SIGNATURES',
      `${path} is truncated (${buf.length} bytes for ${n} signatures of ${permutations}); rerun that shard.`,
    );
  const shingles = new Uint32Array(n);
  const signatures = new Uint32Array(n * permutations);
  let o = HEADER;
  for (let i = 0; i < n; i++) {
    shingles[i] = buf.readUInt32LE(o);
    o += 4;
    for (let k = 0; k < permutations; k++, o += 4) signatures[i * permutations + k] = buf.readUInt32LE(o);
  }
  return { permutations, ngram: buf.readUInt32LE(12), seed: buf.readUInt32LE(16), shingles, signatures };
}
