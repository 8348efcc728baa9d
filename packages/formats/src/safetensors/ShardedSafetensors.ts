/**
 * One view over a Hugging Face checkpoint: a sharded set described by
 * `model.safetensors.index.json` (`weight_map`: tensor → shard file), an unindexed
 * folder of shards, or a single `model.safetensors`. Every shard header is read and
 * cross-checked against the index at open; tensor data stays on disk until asked for.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { FormatError } from '@puyu/core';
import type { SafetensorsTensorInfo } from './header.js';
import { ioError, SafetensorsFile } from './SafetensorsFile.js';
import type { SafetensorsReader } from './SafetensorsReader.js';

export const SAFETENSORS_INDEX_NAME = 'model.safetensors.index.json';
export const SAFETENSORS_SINGLE_NAME = 'model.safetensors';

export interface SafetensorsIndex {
  metadata: Record<string, unknown>;
  weight_map: Record<string, string>;
}

function badIndex(path: string, what: string): FormatError {
  return new FormatError('SAFETENSORS_BAD_INDEX', `${path}: ${what}. Fix or regenerate the index (it is written by save_pretrained).`, {
    details: { path },
  });
}

/** Parses and checks an index file's JSON text. */
export function parseSafetensorsIndex(text: string, path: string): SafetensorsIndex {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw badIndex(path, `not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw badIndex(path, 'not a JSON object');
  const { metadata = {}, weight_map: weightMap } = json as Record<string, unknown>;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw badIndex(path, '"metadata" must be an object');
  if (weightMap === null || typeof weightMap !== 'object' || Array.isArray(weightMap)) throw badIndex(path, 'missing "weight_map" object');
  if (Object.keys(weightMap).length === 0) throw badIndex(path, '"weight_map" is empty, so the checkpoint has no tensors');
  for (const [name, file] of Object.entries(weightMap as Record<string, unknown>)) {
    if (typeof file !== 'string' || file === '') throw badIndex(path, `weight_map["${name}"] must be a shard file name`);
    // Shards live beside the index; refuse paths that would read elsewhere on disk.
    if (isAbsolute(file) || normalize(file).split(sep).includes('..') || file.split('/').includes('..')) {
      throw badIndex(path, `weight_map["${name}"] = "${file}" points outside the checkpoint folder`);
    }
  }
  return { metadata: metadata as Record<string, unknown>, weight_map: weightMap as Record<string, string> };
}

async function kind(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    const st = await stat(path);
    return st.isDirectory() ? 'dir' : 'file';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw ioError(path, e, 'stat');
  }
}

/** Opens every path, closing the ones that did open if any fails. */
async function openAll(paths: string[]): Promise<SafetensorsFile[]> {
  const settled = await Promise.allSettled(paths.map((p) => SafetensorsFile.open(p)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<SafetensorsFile>).value);
}

export class ShardedSafetensors implements SafetensorsReader {
  readonly tensors: readonly SafetensorsTensorInfo[];
  private readonly where = new Map<string, { shard: SafetensorsFile; info: SafetensorsTensorInfo }>();

  private constructor(
    /** The checkpoint folder. */
    readonly dir: string,
    /** The index file, when the checkpoint has one. */
    readonly indexPath: string | undefined,
    /** The index's `metadata` object (`total_size`, …); `{}` without an index. */
    readonly indexMetadata: Readonly<Record<string, unknown>>,
    readonly shards: readonly SafetensorsFile[],
  ) {
    const all: SafetensorsTensorInfo[] = [];
    for (const shard of shards) {
      for (const info of shard.tensors) {
        const prior = this.where.get(info.name);
        if (prior !== undefined) {
          throw new FormatError(
            'SAFETENSORS_DUPLICATE_TENSOR',
            `tensor "${info.name}" is in both ${prior.shard.path} and ${shard.path}; a checkpoint must hold each tensor once. Remove the stray file.`,
            { details: { tensor: info.name } },
          );
        }
        this.where.set(info.name, { shard, info });
        all.push(info);
      }
    }
    this.tensors = all;
  }

  /**
   * Opens a checkpoint from a folder, an `*.safetensors.index.json`, or a single
   * `.safetensors` file. In a folder: the index if present, else `model.safetensors`,
   * else every `*.safetensors` file (which must not share tensor names).
   */
  static async open(path: string): Promise<ShardedSafetensors> {
    const k = await kind(path);
    if (k === 'missing') throw ioError(path, Object.assign(new Error('missing'), { code: 'ENOENT' }), 'open');
    if (k === 'file') {
      if (path.endsWith('.json')) return ShardedSafetensors.openIndex(path);
      return ShardedSafetensors.build(dirname(path), undefined, {}, [path]);
    }
    let entries: string[];
    try {
      entries = (await readdir(path)).sort();
    } catch (e) {
      throw ioError(path, e, 'listing the folder');
    }
    if (entries.includes(SAFETENSORS_INDEX_NAME)) return ShardedSafetensors.openIndex(join(path, SAFETENSORS_INDEX_NAME));
    const indexes = entries.filter((e) => e.endsWith('.safetensors.index.json'));
    if (indexes.length === 1) return ShardedSafetensors.openIndex(join(path, indexes[0]));
    if (indexes.length > 1) {
      throw new FormatError('SAFETENSORS_AMBIGUOUS', `${path} holds several indexes (${indexes.join(', ')}); pass the one you mean.`, {
        details: { path },
      });
    }
    if (entries.includes(SAFETENSORS_SINGLE_NAME))
      return ShardedSafetensors.build(path, undefined, {}, [join(path, SAFETENSORS_SINGLE_NAME)]);
    const files = entries.filter((e) => e.endsWith('.safetensors'));
    if (files.length === 0) {
      throw new FormatError(
        'SAFETENSORS_NOT_FOUND',
        `${path} holds no .safetensors file and no ${SAFETENSORS_INDEX_NAME}; point at a Hugging Face model folder (convert .bin checkpoints to safetensors first).`,
        { details: { path } },
      );
    }
    return ShardedSafetensors.build(
      path,
      undefined,
      {},
      files.map((f) => join(path, f)),
    );
  }

  private static async openIndex(indexPath: string): Promise<ShardedSafetensors> {
    let text: string;
    try {
      text = await readFile(indexPath, 'utf8');
    } catch (e) {
      throw ioError(indexPath, e, 'reading the index');
    }
    const index = parseSafetensorsIndex(text, indexPath);
    const dir = dirname(indexPath);
    const files = [...new Set(Object.values(index.weight_map))].sort();
    const missing: string[] = [];
    for (const f of files) if ((await kind(join(dir, f))) !== 'file') missing.push(f);
    if (missing.length > 0) {
      throw new FormatError(
        'SAFETENSORS_MISSING_SHARD',
        `${indexPath} lists ${missing.length} shard file(s) not found in ${dir}: ${missing.join(', ')}. The download is incomplete; fetch the missing shards.`,
        { details: { path: indexPath, missing } },
      );
    }
    const model = await ShardedSafetensors.build(
      dir,
      indexPath,
      index.metadata,
      files.map((f) => join(dir, f)),
    );
    try {
      model.checkAgainst(index);
    } catch (e) {
      await model.close();
      throw e;
    }
    return model;
  }

  private static async build(
    dir: string,
    indexPath: string | undefined,
    meta: Record<string, unknown>,
    paths: string[],
  ): Promise<ShardedSafetensors> {
    const shards = await openAll(paths);
    try {
      return new ShardedSafetensors(dir, indexPath, meta, shards);
    } catch (e) {
      await Promise.all(shards.map((s) => s.close()));
      throw e;
    }
  }

  /** The index and the shard headers must agree tensor for tensor. */
  private checkAgainst(index: SafetensorsIndex): void {
    for (const [name, file] of Object.entries(index.weight_map)) {
      const at = this.where.get(name);
      if (at === undefined || normalize(at.shard.path) !== normalize(join(this.dir, file))) {
        throw new FormatError(
          'SAFETENSORS_INDEX_MISMATCH',
          `${this.indexPath}: weight_map puts "${name}" in ${file}, but ${at ? `it is in ${basename(at.shard.path)}` : 'that shard does not hold it'}. The index and shards come from different saves; re-download them together.`,
          { details: { path: this.indexPath, tensor: name, shard: file } },
        );
      }
    }
    for (const name of this.where.keys()) {
      if (!Object.hasOwn(index.weight_map, name)) {
        const shard = basename((this.where.get(name) as { shard: SafetensorsFile }).shard.path);
        throw new FormatError(
          'SAFETENSORS_INDEX_MISMATCH',
          `${this.indexPath}: shard ${shard} holds tensor "${name}", which weight_map does not list. The index is stale; regenerate it or re-download the checkpoint.`,
          { details: { path: this.indexPath, tensor: name, shard } },
        );
      }
    }
  }

  /** `__metadata__` of the first shard (HF writes `{"format": "pt"}` in every shard). */
  get metadata(): Readonly<Record<string, string>> | undefined {
    return this.shards[0]?.metadata;
  }

  get names(): string[] {
    return this.tensors.map((t) => t.name);
  }

  /** Sum of all tensor bytes (what `metadata.total_size` should say). */
  get dataBytes(): number {
    return this.tensors.reduce((s, t) => s + t.byteLength, 0);
  }

  has(name: string): boolean {
    return this.where.has(name);
  }

  info(name: string): SafetensorsTensorInfo {
    return this.locate(name).info;
  }

  /** The shard file holding `name`. */
  shardOf(name: string): string {
    return this.locate(name).shard.path;
  }

  private locate(name: string): { shard: SafetensorsFile; info: SafetensorsTensorInfo } {
    const at = this.where.get(name);
    if (at === undefined) {
      throw new FormatError(
        'SAFETENSORS_TENSOR_NOT_FOUND',
        `the checkpoint in ${this.dir} has no tensor "${name}" (${this.where.size} tensors${this.indexPath ? ', per the index' : ''}); check the name against .tensors.`,
        { details: { path: this.indexPath ?? this.dir, tensor: name } },
      );
    }
    return at;
  }

  // async so an unknown name rejects rather than throws, like SafetensorsFile.
  async readRaw(name: string): Promise<Uint8Array> {
    return this.locate(name).shard.readRaw(name);
  }

  async readF32(name: string): Promise<Float32Array> {
    return this.locate(name).shard.readF32(name);
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Opens a model folder (sharded or single `model.safetensors`), an index, or one file as a unified reader. */
export function openSafetensorsModel(path: string): Promise<ShardedSafetensors> {
  return ShardedSafetensors.open(path);
}
