import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgufFile, GgufWriter, gv, writeSafetensors } from '@puyu/formats';
import { afterAll, describe, expect, it } from 'vitest';
import { internLM2ConfigToJson, makeInternLM2Config } from '../config.js';
import { convertGgufToHf, convertHfToGguf } from '../convert/convertModel.js';
import { initInternLM2 } from '../init/initInternLM2.js';
import { InternLM2Reference } from '../reference/InternLM2Reference.js';
import { checkInternLM2Weights, internLM2TensorSpecs, TOK_EMBEDDINGS } from '../weights.js';
import { loadHfModel, openHfModel } from './openHfModel.js';
import { saveHfModel } from './saveHfModel.js';

const tmp = mkdtempSync(join(tmpdir(), 'puyu-hf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const config = makeInternLM2Config({
  vocab_size: 96,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
});

describe('initInternLM2', () => {
  it('is deterministic per seed, N(0, 0.02²) matrices, unit norms, zeroed pad row', () => {
    const a = initInternLM2(config, { seed: 1 });
    const b = initInternLM2(config, { seed: 1 });
    const c = initInternLM2(config, { seed: 2 });
    checkInternLM2Weights(config, a);
    const w = a.get('model.layers.0.feed_forward.w1.weight')?.data as Float32Array;
    expect(Array.from(w)).toEqual(Array.from(b.get('model.layers.0.feed_forward.w1.weight')?.data ?? []));
    expect(Array.from(w)).not.toEqual(Array.from(c.get('model.layers.0.feed_forward.w1.weight')?.data ?? []));
    let s = 0;
    let ss = 0;
    for (const v of w) {
      s += v;
      ss += v * v;
    }
    const mean = s / w.length;
    const std = Math.sqrt(ss / w.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    expect(Array.from(a.get('model.norm.weight')?.data ?? []).every((v) => v === 1)).toBe(true);
    const emb = a.get(TOK_EMBEDDINGS)?.data as Float32Array;
    const pad = config.pad_token_id as number;
    expect(emb.subarray(pad * 32, (pad + 1) * 32).every((v) => v === 0)).toBe(true);
  });
});

describe('HF folders', () => {
  const weights = initInternLM2(config, { seed: 9, std: 0.1 });

  it('saves sharded checkpoints and reads them back lazily; BF16 storage rounds as expected', async () => {
    const dir = join(tmp, 'sharded');
    await saveHfModel(dir, config, weights, { maxShardBytes: 20_000 });
    const shards = readdirSync(dir).filter((f) => f.endsWith('.safetensors'));
    expect(shards.length).toBeGreaterThan(2);
    expect(existsSync(join(dir, 'model.safetensors.index.json'))).toBe(true);
    const src = await openHfModel(dir);
    const one = await src.readF32('model.layers.1.feed_forward.w2.weight');
    expect(Array.from(one)).toEqual(Array.from(weights.get('model.layers.1.feed_forward.w2.weight')?.data ?? []));
    await src.close();
    // A sharded folder converts like a single file.
    const g = join(tmp, 'sharded.gguf');
    await convertHfToGguf(dir, g, { type: 'f32' });
    const back = join(tmp, 'sharded-back');
    await convertGgufToHf(g, back);
    const b = await loadHfModel(back);
    const tokens = [3, 1, 4, 1, 5, 9, 2, 6];
    expect(Array.from(new InternLM2Reference(b.config, b.weights).forward(tokens))).toEqual(
      Array.from(new InternLM2Reference(config, weights).forward(tokens)),
    );

    const bf = join(tmp, 'bf16');
    await saveHfModel(bf, config, weights, { dtype: 'BF16' });
    const l = await loadHfModel(bf);
    const x = weights.get(TOK_EMBEDDINGS)?.data as Float32Array;
    const y = l.weights.get(TOK_EMBEDDINGS)?.data as Float32Array;
    for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(Math.abs(x[i]) / 256);
  });

  it('missing tensors → MODEL_MISSING_TENSORS, listing them', async () => {
    const dir = join(tmp, 'missing');
    await saveHfModel(dir, config, weights);
    const specs = internLM2TensorSpecs(config).filter((s) => s.name !== 'model.layers.1.attention.wo.weight');
    await writeSafetensors(
      join(dir, 'model.safetensors'),
      specs.map((s) => ({ name: s.name, dtype: 'F32', shape: s.shape, data: weights.get(s.name)?.data as Float32Array })),
    );
    await expect(openHfModel(dir)).rejects.toMatchObject({
      code: 'MODEL_MISSING_TENSORS',
      message: expect.stringContaining('model.layers.1.attention.wo.weight'),
    });
  });

  it('shapes that disagree with config.json → MODEL_SHAPE_MISMATCH', async () => {
    const dir = join(tmp, 'shape');
    await saveHfModel(dir, config, weights);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...internLM2ConfigToJson(config), intermediate_size: 48 }));
    await expect(openHfModel(dir)).rejects.toMatchObject({ code: 'MODEL_SHAPE_MISMATCH', message: expect.stringContaining('[64, 32]') });
  });

  it('another architecture → MODEL_UNKNOWN_ARCHITECTURE (HF and GGUF)', async () => {
    const dir = join(tmp, 'llama');
    await saveHfModel(dir, config, weights);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...internLM2ConfigToJson(config), architectures: ['LlamaForCausalLM'] }));
    await expect(openHfModel(dir)).rejects.toMatchObject({ code: 'MODEL_UNKNOWN_ARCHITECTURE' });

    const g = join(tmp, 'llama.gguf');
    await new GgufWriter()
      .set('general.architecture', gv.str('llama'))
      .addTensor('token_embd.weight', [4, 2], new Float32Array(8))
      .write(g);
    await expect(convertGgufToHf(g, join(tmp, 'llama-hf'))).rejects.toMatchObject({ code: 'MODEL_UNKNOWN_ARCHITECTURE' });
  });

  it('a GGUF missing a block tensor → MODEL_MISSING_TENSORS before anything is written', async () => {
    const dir = join(tmp, 'ok');
    await saveHfModel(dir, config, weights);
    const full = join(tmp, 'ok.gguf');
    await convertHfToGguf(dir, full, { type: 'f32' });
    const f = await GgufFile.open(full);
    const w = new GgufWriter().setAll(f.metadata);
    for (const t of f.tensors) {
      if (t.name !== 'blk.1.ffn_up.weight') w.addTensorBytes(t.name, t.ne, t.type, await f.readTensorBytes(t.name));
    }
    await f.close();
    const broken = join(tmp, 'broken.gguf');
    await w.write(broken);
    const out = join(tmp, 'broken-hf');
    await expect(convertGgufToHf(broken, out)).rejects.toMatchObject({ code: 'MODEL_MISSING_TENSORS' });
    expect(existsSync(join(out, 'model.safetensors'))).toBe(false);
  });

  it('a GGUF whose tensor shape disagrees with its metadata → MODEL_SHAPE_MISMATCH before anything is written', async () => {
    const dir = join(tmp, 'ok2');
    await saveHfModel(dir, config, weights);
    const full = join(tmp, 'ok2.gguf');
    await convertHfToGguf(dir, full, { type: 'f32' });
    const f = await GgufFile.open(full);
    const w = new GgufWriter().setAll(f.metadata);
    for (const t of f.tensors) {
      if (t.name === 'blk.0.ffn_down.weight')
        w.addTensor(t.name, [32, 64], new Float32Array(32 * 64)); // transposed
      else w.addTensorBytes(t.name, t.ne, t.type, await f.readTensorBytes(t.name));
    }
    await f.close();
    const broken = join(tmp, 'transposed.gguf');
    await w.write(broken);
    const out = join(tmp, 'transposed-hf');
    await expect(convertGgufToHf(broken, out)).rejects.toMatchObject({
      code: 'MODEL_SHAPE_MISMATCH',
      message: expect.stringContaining('blk.0.ffn_down.weight'),
    });
    expect(existsSync(join(out, 'config.json'))).toBe(false);
  });

  it('in-memory weights with a wrong shape are refused by the reference too', () => {
    const bad = new Map(weights);
    bad.set('model.norm.weight', { shape: [31], data: new Float32Array(31) });
    expect(() => new InternLM2Reference(config, bad)).toThrow(expect.objectContaining({ code: 'MODEL_SHAPE_MISMATCH' }));
  });
});
