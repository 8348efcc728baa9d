/**
 * Writes a checkpoint the way `transformers`' `save_pretrained` does: tensors split
 * into shards in input order (huggingface_hub's `split_state_dict_into_shards_factory`),
 * files named `model-00001-of-00003.safetensors`, and `model.safetensors.index.json`
 * as `json.dumps(index, indent=2, sort_keys=True) + "\n"`. One shard → a plain
 * `model.safetensors` and no index, as HF does.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError } from '@puyu/core';
import { ioError } from './SafetensorsFile.js';
import { SAFETENSORS_INDEX_NAME, SAFETENSORS_SINGLE_NAME, type SafetensorsIndex } from './ShardedSafetensors.js';
import { planSafetensors, type SafetensorsTensorInput, writeSafetensors } from './writeSafetensors.js';

/** huggingface_hub's default `max_shard_size` (5 GB, decimal). */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

export interface ShardedWriteOptions {
  /** Largest shard in tensor bytes; a bigger tensor gets a shard of its own. Default 5 GB. */
  readonly maxShardBytes?: number;
  /** `__metadata__` of every shard; default `{ format: 'pt' }` (transformers refuses files without it). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Extra keys for the index's `metadata` beside `total_size` (e.g. `total_parameters`). */
  readonly indexMetadata?: Readonly<Record<string, unknown>>;
  /** Delete `model*.safetensors` / the index left by an earlier save that this one does not overwrite. Default true. */
  readonly removeStale?: boolean;
}

export interface WrittenShardedSafetensors {
  /** Shard paths in order. */
  readonly files: string[];
  /** The index path, or undefined when everything fit in `model.safetensors`. */
  readonly indexPath: string | undefined;
  readonly index: SafetensorsIndex;
}

/** Shard plan: lists of input positions, same order and same rule as huggingface_hub. */
export function planShards(sizes: readonly number[], maxShardBytes: number): number[][] {
  const shards: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  sizes.forEach((size, i) => {
    if (size > maxShardBytes) {
      shards.push([i]); // its own shard, while the current one keeps filling
      return;
    }
    if (currentBytes + size > maxShardBytes) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(i);
    currentBytes += size;
  });
  if (current.length > 0) shards.push(current);
  return shards;
}

export function shardFileName(index: number, count: number): string {
  return `model-${String(index + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.safetensors`;
}

/** Code point order, as Python's `sort_keys`. */
function sortKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(obj).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Object.fromEntries(keys.map((k) => [k, obj[k]]));
}

/** `json.dumps(index, indent=2, sort_keys=True) + "\n"`, including `ensure_ascii` escapes. */
export function formatSafetensorsIndex(index: SafetensorsIndex): string {
  const sorted = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(sortKeys(v as Record<string, unknown>)).map(([k, x]) => [k, sorted(x)]))
      : v;
  const text = JSON.stringify(sorted(index), null, 2);
  return `${text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/**
 * Writes `tensors` into `dir` as HF shards + index. Every file is written atomically;
 * the index goes last, so a reader never sees an index naming unwritten shards.
 */
export async function writeShardedSafetensors(
  dir: string,
  tensors: readonly SafetensorsTensorInput[],
  options: ShardedWriteOptions = {},
): Promise<WrittenShardedSafetensors> {
  const max = options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  if (!(Number.isSafeInteger(max) && max > 0)) {
    throw new FormatError(
      'SAFETENSORS_BAD_OPTION',
      `maxShardBytes must be a positive whole number of bytes (HF's default is 5 GB = ${DEFAULT_MAX_SHARD_BYTES}), got ${max}.`,
    );
  }
  const metadata = options.metadata ?? { format: 'pt' };
  const { infos } = planSafetensors(tensors); // validates everything before touching the disk
  const bytesByName = new Map(infos.map((t) => [t.name, t.byteLength]));
  const plan = planShards(
    tensors.map((t) => bytesByName.get(t.name) as number),
    max,
  );
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError(dir, e, 'creating the output folder');
  }

  const names = plan.length === 1 ? [SAFETENSORS_SINGLE_NAME] : plan.map((_, i) => shardFileName(i, plan.length));
  const weightMap: Record<string, string> = {};
  const files: string[] = [];
  for (let s = 0; s < plan.length; s++) {
    const path = join(dir, names[s]);
    await writeSafetensors(
      path,
      plan[s].map((i) => tensors[i]),
      metadata,
    );
    for (const i of plan[s]) weightMap[tensors[i].name] = names[s];
    files.push(path);
  }
  const totalSize = infos.reduce((sum, t) => sum + t.byteLength, 0);
  const index: SafetensorsIndex = { metadata: { ...options.indexMetadata, total_size: totalSize }, weight_map: weightMap };

  let indexPath: string | undefined;
  if (plan.length > 1) {
    indexPath = join(dir, SAFETENSORS_INDEX_NAME);
    const temp = join(dir, `.${SAFETENSORS_INDEX_NAME}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(temp, formatSafetensorsIndex(index), { flag: 'wx' });
      await rename(temp, indexPath);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw ioError(indexPath, e, 'writing the index');
    }
  }
  if (options.removeStale ?? true) await removeStale(dir, new Set([...names, ...(indexPath ? [SAFETENSORS_INDEX_NAME] : [])]));
  return { files, indexPath, index };
}

/**
 * transformers prefers `model.safetensors` over an index when both exist, so a stale
 * single file from an earlier save would shadow this save; stale shards waste disk.
 */
async function removeStale(dir: string, keep: Set<string>): Promise<void> {
  const ours = /^model(-\d{5}-of-\d{5})?\.safetensors$|^model\.safetensors\.index\.json$/;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    throw ioError(dir, e, 'listing the output folder');
  }
  for (const e of entries) {
    if (ours.test(e) && !keep.has(e)) await unlink(join(dir, e)).catch(() => undefined);
  }
}
