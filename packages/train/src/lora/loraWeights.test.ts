import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgufFile, gv } from '@puyu/formats';
import { initInternLM2, internLM2Dims, makeInternLM2Config, Prng } from '@puyu/model';
import { describe, expect, it } from 'vitest';
import { estimateTrainingBytes } from '../pretrain/estimateMemory.js';
import { parseLoraConfig } from './loraConfig.js';
import { readLoraAdapter, saveLoraAdapter, writeLoraGguf } from './loraExport.js';
import { initLoraWeights, type LoraSettings, loraScale, loraTargets, mergeLora, peftName } from './loraWeights.js';

const config = makeInternLM2Config({
  vocab_size: 64,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 32,
});
const settings: LoraSettings = { rank: 4, alpha: 8, dropout: 0, target_modules: ['wqkv', 'w2'] };

describe('LoRA weights', () => {
  it('names tensors as PEFT does and starts as PEFT does: A in ±1/√in, B zero', () => {
    expect(peftName('model.layers.3.attention.wqkv.weight', 'A')).toBe('base_model.model.model.layers.3.attention.wqkv.lora_A.weight');
    const w = initLoraWeights(config, settings, 1);
    expect(w.size).toBe(2 * 2 * 2);
    const a = w.get('base_model.model.model.layers.1.feed_forward.w2.lora_A.weight')!;
    expect(a.shape).toEqual([4, 64]);
    expect(Math.max(...a.data.map(Math.abs))).toBeLessThanOrEqual(1 / 8);
    expect(Math.max(...a.data.map(Math.abs))).toBeGreaterThan(0.1);
    const b = w.get('base_model.model.model.layers.0.attention.wqkv.lora_B.weight')!;
    expect(b.shape).toEqual([internLM2Dims(config).qkvRows, 4]);
    expect(b.data.every((x) => x === 0)).toBe(true);
    expect(initLoraWeights(config, settings, 1)).toEqual(w);
    expect(initLoraWeights(config, settings, 2)).not.toEqual(w);
  });

  it('merges W + (alpha/rank)·B·A into the adapted layers only', () => {
    const base = initInternLM2(config, { seed: 1 });
    const w = initLoraWeights(config, settings, 1);
    const rng = new Prng(3);
    for (const [n, t] of w) if (n.includes('lora_B')) for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal();
    const merged = mergeLora(config, base, w, settings);
    expect(merged.get('model.layers.0.attention.wo.weight')).toBe(base.get('model.layers.0.attention.wo.weight'));
    const t = loraTargets(config, settings.target_modules).find((x) => x.module === 'w2' && x.layer === 1)!;
    const [i, j] = [5, 7];
    let want = base.get(t.base)!.data[i * t.in + j];
    for (let k = 0; k < 4; k++) want += loraScale(settings) * w.get(t.b)!.data[i * 4 + k] * w.get(t.a)!.data[k * t.in + j];
    expect(merged.get(t.base)!.data[i * t.in + j]).toBeCloseTo(want, 5);
  });
});

describe('LoRA config and exports', () => {
  it('takes an SFT config plus a lora block with PEFT defaults, and names a bad module', () => {
    const base = {
      init_from: 'x',
      data: { train: ['a.jsonl'] },
      train: { steps: 3, seq_len: 8, batch_size: 1, lr: 1e-3 },
      output: { dir: 'o' },
    };
    expect(parseLoraConfig(base).lora).toEqual({
      rank: 8,
      alpha: 16,
      dropout: 0.05,
      target_modules: ['wqkv', 'wo', 'w1', 'w2', 'w3'],
      init_seed: 0,
      base_type: 'f32',
    });
    expect(() => parseLoraConfig({ ...base, lora: { target_modules: ['wq'] } })).toThrow(/lora\.target_modules\.0/);
    expect(() => parseLoraConfig({ ...base, lora: { dropout: 1 } })).toThrow(/lora\.dropout/);
  });

  it('round-trips the PEFT folder and writes the GGUF LoRA with split, permuted wqkv B', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-lora-export-'));
    const w = initLoraWeights(config, settings, 1);
    const rng = new Prng(4);
    for (const [n, t] of w) if (n.includes('lora_B')) for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal();
    await saveLoraAdapter(join(dir, 'adapter'), settings, w, 'base-hf');
    const back = await readLoraAdapter(join(dir, 'adapter'), config);
    expect(back.settings).toEqual(settings);
    expect(back.weights).toEqual(w);

    await writeLoraGguf(join(dir, 'a.gguf'), config, settings, w);
    await using g = await GgufFile.open(join(dir, 'a.gguf'));
    expect(g.metadata.get('general.type')).toEqual(gv.str('adapter'));
    expect(g.metadata.get('adapter.lora.alpha')).toEqual(gv.f32(8));
    const byName = new Map(g.tensors.map((t) => [t.name, t]));
    const d = internLM2Dims(config);
    expect(byName.get('blk.0.attn_q.weight.lora_a')?.ne).toEqual([32, 4]);
    expect(byName.get('blk.0.attn_q.weight.lora_b')?.ne).toEqual([4, d.nHeads * d.headDim]);
    expect(byName.get('blk.0.attn_k.weight.lora_b')?.ne).toEqual([4, d.nKvHeads * d.headDim]);
    expect(byName.get('blk.1.ffn_down.weight.lora_b')?.ne).toEqual([4, 32]);
    expect(byName.has('blk.0.attn_output.weight.lora_a')).toBe(false);
    // V rows are not permuted: group 0's value head is rows (qPerKv + 1)·hd … of wqkv's B
    const raw = await g.readTensorBytes('blk.0.attn_v.weight.lora_b');
    const v = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const b = w.get(peftName('model.layers.0.attention.wqkv.weight', 'B'))!.data;
    const first = (d.qPerKv + 1) * d.headDim * 4;
    expect(v.subarray(0, d.headDim * 4)).toEqual(b.subarray(first, first + d.headDim * 4));
  });

  it('refuses an adapter that does not fit the base, naming the tensor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-lora-misfit-'));
    await saveLoraAdapter(dir, settings, initLoraWeights(config, settings, 1), 'x');
    const bigger = makeInternLM2Config({ ...config, hidden_size: 64 });
    await expect(readLoraAdapter(dir, bigger)).rejects.toMatchObject({
      code: 'TRAIN_LORA_BAD_ADAPTER',
      message: expect.stringContaining('layers.0.attention.wqkv.lora_A.weight is [4, 32], the base needs [4, 64]'),
    });
    await expect(readLoraAdapter(join(dir, 'nowhere'), config)).rejects.toMatchObject({ code: 'TRAIN_LORA_BAD_ADAPTER' });
  });
});

describe('LoRA memory check', () => {
  it('counts a frozen base twice (host + ggml), not six times as full training does', () => {
    const full = estimateTrainingBytes(config, 1, 16);
    const lora = estimateTrainingBytes(config, 1, 16, 2);
    expect(full.total - lora.total).toBe(4 * full.params * 4);
  });
});
