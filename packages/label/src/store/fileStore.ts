import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabelError } from '../errors.js';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Stored files under `<dataDir>/files/<aa>/<sha256>`: the name is the content's sha256, so an
 * upload can never choose where it lands (no path from the user reaches the file system) and the
 * same image imported twice is stored once. Written to a temp name and renamed, so a crash never
 * leaves a half-written file under its final name.
 */
export class FileStore {
  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new LabelError('LABEL_NOT_FOUND', `no stored file ${JSON.stringify(sha256)}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(sha256);
    if (await exists(path)) return sha256;
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, bytes, { flag: 'wx' });
    await rename(tmp, path);
    return sha256;
  }

  async get(sha256: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (e) {
      if (e instanceof LabelError) throw e;
      throw new LabelError('LABEL_NOT_FOUND', `stored file ${sha256} is missing from ${this.root}`, { cause: e });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
