import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@puyu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSafetensorsModel, ShardedSafetensors } from './ShardedSafetensors.js';
import { type SafetensorsTensorInput, writeSafetensors } from './writeSafetensors.js';
import { formatSafetensorsIndex, planShards, shardFileName, writeShardedSafetensors } from './writeShardedSafetensors.js';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'puyu-st-shard-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));
const fresh = async () => {
  const d = join(root, `m${n++}`);
  await mkdir(d);
  return d;
};

/** A tiny InternLM2-shaped state dict: 16-float tensors (64 bytes in F32). */
function model(): SafetensorsTensorInput[] {
  const names = [
    'model.tok_embeddings.weight',
    'model.layers.0.attention.wqkv.weight',
    'model.layers.0.attention.wo.weight',
    'model.norm.weight',
    'output.weight',
  ];
  return names.map((name, k) => ({ name, dtype: 'F32', shape: [4, 4], data: Float32Array.from({ length: 16 }, (_, i) => k * 100 + i) }));
}

describe('planShards (huggingface_hub split_state_dict_into_shards_factory)', () => {
  it('fills shards in order and gives an oversized tensor its own shard', () => {
    // huggingface_hub's own test state dict: sizes 6, 10, 30, 2, 2 with max 10.
    expect(planShards([6, 10, 30, 2, 2], 10)).toEqual([[0], [2], [1], [3, 4]]);
    expect(planShards([6, 10, 30, 2, 2], 100)).toEqual([[0, 1, 2, 3, 4]]);
    expect(planShards([5, 5, 5], 10)).toEqual([[0, 1], [2]]);
    expect(planShards([], 10)).toEqual([]);
    expect(shardFileName(0, 3)).toBe('model-00001-of-00003.safetensors');
  });
});

describe('writeShardedSafetensors + ShardedSafetensors', () => {
  it('writes HF shards and an index byte-identical to save_pretrained, and reads them back as one', async () => {
    const dir = await fresh();
    const w = await writeShardedSafetensors(dir, model(), { maxShardBytes: 150 });
    expect((await readdir(dir)).sort()).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
      'model.safetensors.index.json',
    ]);
    // json.dumps(index, indent=2, sort_keys=True) + "\n"
    expect(await readFile(join(dir, 'model.safetensors.index.json'), 'utf8')).toBe(`{
  "metadata": {
    "total_size": 320
  },
  "weight_map": {
    "model.layers.0.attention.wo.weight": "model-00002-of-00003.safetensors",
    "model.layers.0.attention.wqkv.weight": "model-00001-of-00003.safetensors",
    "model.norm.weight": "model-00002-of-00003.safetensors",
    "model.tok_embeddings.weight": "model-00001-of-00003.safetensors",
    "output.weight": "model-00003-of-00003.safetensors"
  }
}
`);
    expect(w.indexPath).toBe(join(dir, 'model.safetensors.index.json'));
    for (const target of [dir, w.indexPath as string]) {
      await using m = await ShardedSafetensors.open(target);
      expect(m.shards.length).toBe(3);
      expect(m.indexMetadata).toEqual({ total_size: 320 });
      expect(m.dataBytes).toBe(320);
      expect(m.metadata).toEqual({ format: 'pt' });
      expect(new Set(m.names)).toEqual(new Set(model().map((t) => t.name)));
      for (const t of model()) expect(await m.readF32(t.name)).toEqual(t.data);
      expect(m.shardOf('output.weight')).toBe(join(dir, 'model-00003-of-00003.safetensors'));
      expect(m.info('model.norm.weight').shape).toEqual([4, 4]);
      await expect(m.readRaw('lm_head.weight')).rejects.toMatchObject({ code: 'SAFETENSORS_TENSOR_NOT_FOUND' });
    }
  });

  it('writes one model.safetensors without an index when it fits, and removes a stale save', async () => {
    const dir = await fresh();
    await writeShardedSafetensors(dir, model(), { maxShardBytes: 150 });
    const w = await writeShardedSafetensors(dir, model());
    expect(w.indexPath).toBeUndefined();
    expect(w.index.weight_map['output.weight']).toBe('model.safetensors');
    expect(await readdir(dir)).toEqual(['model.safetensors']);
    await using m = await openSafetensorsModel(dir);
    expect(m.indexPath).toBeUndefined();
    expect(m.tensors.length).toBe(5);
    expect(await m.readF32('model.norm.weight')).toEqual(model()[3].data);
    // And back to sharded: the single file must go, or transformers would load it instead.
    await writeShardedSafetensors(dir, model(), { maxShardBytes: 200 });
    expect((await readdir(dir)).includes('model.safetensors')).toBe(false);
  });

  it('opens a single .safetensors path and an unindexed folder of shards', async () => {
    const dir = await fresh();
    const [a, b, ...rest] = model();
    await writeSafetensors(join(dir, 'part-a.safetensors'), [a, b]);
    await writeSafetensors(join(dir, 'part-b.safetensors'), rest);
    await using all = await openSafetensorsModel(dir);
    expect(all.tensors.length).toBe(5);
    await using one = await openSafetensorsModel(join(dir, 'part-b.safetensors'));
    expect(one.names.sort()).toEqual(rest.map((t) => t.name).sort());
    await writeSafetensors(join(dir, 'part-c.safetensors'), [a]);
    await expect(openSafetensorsModel(dir)).rejects.toMatchObject({ code: 'SAFETENSORS_DUPLICATE_TENSOR' });
  });

  it('escapes non-ASCII names in the index like Python ensure_ascii', () => {
    const text = formatSafetensorsIndex({ metadata: { total_size: 2 }, weight_map: { z: 'b', '模型.w': 'a', 'a😀': 'c' } });
    expect(text).toBe(
      '{\n  "metadata": {\n    "total_size": 2\n  },\n  "weight_map": {\n    "a\\ud83d\\ude00": "c",\n    "z": "b",\n    "\\u6a21\\u578b.w": "a"\n  }\n}\n',
    );
  });
});

describe('sharded checkpoints that do not add up', () => {
  async function sharded(): Promise<string> {
    const dir = await fresh();
    await writeShardedSafetensors(dir, model(), { maxShardBytes: 150 });
    return dir;
  }
  const indexOf = async (dir: string) => JSON.parse(await readFile(join(dir, 'model.safetensors.index.json'), 'utf8'));
  const putIndex = (dir: string, index: unknown) =>
    writeFile(join(dir, 'model.safetensors.index.json'), typeof index === 'string' ? index : JSON.stringify(index));

  async function code(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as Error).message.split(' ').length).toBeGreaterThan(8);
      return (e as FormatError).code;
    }
    throw new Error('expected a FormatError');
  }

  it('a missing shard → SAFETENSORS_MISSING_SHARD naming it', async () => {
    const dir = await sharded();
    await unlink(join(dir, 'model-00002-of-00003.safetensors'));
    await expect(ShardedSafetensors.open(dir)).rejects.toThrow('model-00002-of-00003.safetensors');
    expect(await code(ShardedSafetensors.open(dir))).toBe('SAFETENSORS_MISSING_SHARD');
  });

  it('an index naming a tensor its shard lacks → SAFETENSORS_INDEX_MISMATCH', async () => {
    const dir = await sharded();
    const index = await indexOf(dir);
    index.weight_map['lm_head.weight'] = 'model-00001-of-00003.safetensors';
    await putIndex(dir, index);
    expect(await code(ShardedSafetensors.open(dir))).toBe('SAFETENSORS_INDEX_MISMATCH');
  });

  it('a shard tensor missing from the index → SAFETENSORS_INDEX_MISMATCH', async () => {
    const dir = await sharded();
    const index = await indexOf(dir);
    delete index.weight_map['model.norm.weight']; // its shard stays listed for another tensor
    await putIndex(dir, index);
    expect(await code(ShardedSafetensors.open(dir))).toBe('SAFETENSORS_INDEX_MISMATCH');
  });

  it('a tensor mapped to the wrong shard → SAFETENSORS_INDEX_MISMATCH', async () => {
    const dir = await sharded();
    const index = await indexOf(dir);
    index.weight_map['output.weight'] = 'model-00001-of-00003.safetensors';
    await putIndex(dir, index);
    expect(await code(ShardedSafetensors.open(dir))).toBe('SAFETENSORS_INDEX_MISMATCH');
  });

  it('a broken index → SAFETENSORS_BAD_INDEX', async () => {
    const dir = await sharded();
    for (const bad of [
      '{"weight_map": ',
      '[]',
      '{"metadata": {}}',
      '{"weight_map": {"a": 3}}',
      '{"weight_map": {}}',
      '{"weight_map": {"a": "../../etc/passwd"}}',
      '{"weight_map": {"a": "/etc/passwd"}}',
    ]) {
      await putIndex(dir, bad);
      expect(await code(ShardedSafetensors.open(dir)), bad).toBe('SAFETENSORS_BAD_INDEX');
    }
  });

  it('a corrupt shard surfaces its own code; no folder or no weights → SAFETENSORS_NOT_FOUND', async () => {
    const dir = await sharded();
    await writeFile(join(dir, 'model-00003-of-00003.safetensors'), 'garbage!');
    expect(await code(ShardedSafetensors.open(dir))).toBe('SAFETENSORS_HEADER_TOO_LARGE');
    await writeFile(join(dir, 'model-00003-of-00003.safetensors'), '');
    expect(await code(ShardedSafetensors.open(dir))).toBe('SAFETENSORS_TRUNCATED');
    expect(await code(openSafetensorsModel(join(root, 'absent')))).toBe('SAFETENSORS_NOT_FOUND');
    expect(await code(openSafetensorsModel(await fresh()))).toBe('SAFETENSORS_NOT_FOUND');
  });

  it('refuses a non-positive maxShardBytes', async () => {
    expect(await code(writeShardedSafetensors(await fresh(), model(), { maxShardBytes: 0 }))).toBe('SAFETENSORS_BAD_OPTION');
  });
});
