import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { convertHfToGguf } from '@puyu/model';
import { ServeError } from '../ServeError.js';

/** Where converted HF folders are cached: `$PUYU_CACHE_DIR/serve` or `~/.cache/puyu/serve`. */
export function defaultServeCacheDir(): string {
  return join(process.env.PUYU_CACHE_DIR ?? join(homedir(), '.cache', 'puyu'), 'serve');
}

/**
 * The cache key of an HF folder: its path plus every file's name, size and mtime. Editing or
 * replacing any file (weights, tokenizer, config) gives a new key, so a stale GGUF is never served.
 */
export async function hfFolderKey(dir: string): Promise<string> {
  const h = createHash('sha256').update(resolve(dir));
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const s = await stat(join(dir, name));
    if (s.isFile()) h.update(`\0${name}\0${s.size}\0${s.mtimeMs}`);
  }
  return h.digest('hex').slice(0, 24);
}

/**
 * MODEL as given to `puyu serve`: a GGUF file is served as is; an HF InternLM2 folder is
 * converted to GGUF (f16) once and cached. The conversion writes to a temporary name and renames,
 * so a crash mid-way never leaves a truncated file that would be picked up next time.
 */
export async function resolveModelPath(
  model: string,
  opts: { cacheDir?: string; onConvert?: (gguf: string) => void } = {},
): Promise<{ path: string; converted: boolean; cached: boolean }> {
  if (!existsSync(model)) throw new ServeError('SERVE_MODEL_NOT_FOUND', `model ${model} does not exist.`);
  if (!statSync(model).isDirectory()) {
    if (!model.endsWith('.gguf')) throw new ServeError('SERVE_MODEL_FORMAT', `${model} is not a .gguf file or an HF model folder.`);
    return { path: model, converted: false, cached: false };
  }
  if (!existsSync(join(model, 'config.json'))) {
    throw new ServeError('SERVE_MODEL_FORMAT', `${model} is a folder without config.json; pass an HF InternLM2 folder or a .gguf file.`);
  }
  const cacheDir = opts.cacheDir ?? defaultServeCacheDir();
  const out = join(cacheDir, `${await hfFolderKey(model)}.gguf`);
  if (existsSync(out)) return { path: out, converted: false, cached: true };
  await mkdir(cacheDir, { recursive: true });
  opts.onConvert?.(out);
  const tmp = `${out}.${process.pid}.tmp`;
  await convertHfToGguf(model, tmp, { type: 'f16' });
  await rename(tmp, out);
  return { path: out, converted: true, cached: false };
}
