import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgmlType, GgufFile, GgufWriter } from '@puyu/formats';
import { afterAll, describe, expect, it } from 'vitest';
import { makeInternLM2Config } from '../config.js';
import { loadHfModel, openHfModel } from '../hf/openHfModel.js';
import { saveHfModel } from '../hf/saveHfModel.js';
import { initInternLM2 } from '../init/initInternLM2.js';
import { InternLM2Reference } from '../reference/InternLM2Reference.js';
import { writeInternLM2Gguf } from './buildInternLM2Gguf.js';
import { writeHfFromGguf } from './writeHfFromGguf.js';

const tmp = mkdtempSync(join(tmpdir(), 'puyu-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fixtures = join(import.meta.dirname, '..', 'fixtures');

async function hfToGgufToHf(hfDir: string, tag: string, type: 'f32' | 'q8_0' = 'f32') {
  const gguf = join(tmp, `${tag}.gguf`);
  const src = await openHfModel(hfDir);
  try {
    await writeInternLM2Gguf(gguf, src.config, src, { type, name: tag });
  } finally {
    await src.close();
  }
  const back = join(tmp, `${tag}-back`);
  const f = await GgufFile.open(gguf);
  try {
    await writeHfFromGguf(f, back);
  } finally {
    await f.close();
  }
  return { gguf, back };
}

describe('HF ⇄ GGUF', () => {
  for (const name of ['tiny-gqa', 'tiny-dynamic', 'tiny-linear']) {
    it(`${name}: HF → GGUF(F32) → HF is bit-identical, config included`, async () => {
      const dir = join(fixtures, name);
      const { gguf, back } = await hfToGgufToHf(dir, name);
      const a = await loadHfModel(dir);
      const b = await loadHfModel(back);
      expect(b.config.rope_scaling).toEqual(a.config.rope_scaling);
      expect(b.config.rms_norm_eps).toBe(a.config.rms_norm_eps);
      expect(b.config.rope_theta).toBe(a.config.rope_theta);
      expect(b.config.num_key_value_heads).toBe(a.config.num_key_value_heads);
      expect([...b.weights.keys()].sort()).toEqual([...a.weights.keys()].sort());
      for (const [k, t] of a.weights) {
        const u = b.weights.get(k);
        expect(u?.shape, k).toEqual(t.shape);
        expect(Buffer.from(u?.data.buffer ?? new ArrayBuffer(0)).equals(Buffer.from(t.data.buffer)), k).toBe(true);
      }
      const f = await GgufFile.open(gguf);
      try {
        expect(f.architecture).toBe('internlm2');
        expect(f.getNumber('internlm2.attention.head_count_kv')).toBe(a.config.num_key_value_heads);
        const q = f.requireTensor('blk.0.attn_q.weight');
        expect(q.ne).toEqual([a.config.hidden_size, a.config.hidden_size]); // ne[0] = columns
        expect(f.tensor('blk.0.attn_qkv.weight')).toBeUndefined();
        // llama.cpp aborts on rope.scaling.type values it does not know; dynamic must not leak there.
        expect(f.getString('internlm2.rope.scaling.type') ?? 'none').not.toBe('dynamic');
      } finally {
        await f.close();
      }
    });
  }

  it('a GGUF without puyu.* keys (as written by llama.cpp converter) converts back too', async () => {
    const dir = join(fixtures, 'tiny-linear');
    const { gguf } = await hfToGgufToHf(dir, 'plain-src');
    const f = await GgufFile.open(gguf);
    const w = new GgufWriter();
    for (const [k, v] of f.metadata) if (!k.startsWith('puyu.')) w.set(k, v);
    for (const t of f.tensors) w.addTensorBytes(t.name, t.ne, t.type, await f.readTensorBytes(t.name));
    await f.close();
    const plain = join(tmp, 'plain.gguf');
    await w.write(plain);
    const back = join(tmp, 'plain-back');
    const g = await GgufFile.open(plain);
    const c = await writeHfFromGguf(g, back);
    await g.close();
    const a = await loadHfModel(dir);
    for (const key of [
      'vocab_size',
      'hidden_size',
      'intermediate_size',
      'num_hidden_layers',
      'num_attention_heads',
      'num_key_value_heads',
      'max_position_embeddings',
      'rms_norm_eps',
      'rope_theta',
      'rope_scaling',
    ] as const) {
      expect(c[key], key).toEqual(a.config[key]);
    }
    const b = await loadHfModel(back);
    for (const [k, t] of a.weights) expect(Array.from(b.weights.get(k)?.data ?? []), k).toEqual(Array.from(t.data));
  });

  it('Q/K rows are permuted in the GGUF (not a plain copy of the wqkv slice)', async () => {
    const dir = join(fixtures, 'tiny-gqa');
    const gguf = join(tmp, 'perm.gguf');
    const src = await openHfModel(dir);
    await writeInternLM2Gguf(gguf, src.config, src);
    const wqkv = await src.readF32('model.layers.0.attention.wqkv.weight');
    await src.close();
    const f = await GgufFile.open(gguf);
    const q = await f.readTensorF32('blk.0.attn_q.weight');
    const k = await f.readTensorF32('blk.0.attn_k.weight');
    await f.close();
    const h = 64;
    const hd = 16;
    // GGUF Q row 1 = HF head 0 row hd/2 (second half, first element), per LlamaModel.permute.
    expect(Array.from(q.subarray(h, 2 * h))).toEqual(Array.from(wqkv.subarray((hd / 2) * h, (hd / 2 + 1) * h)));
    // K of KV group 0 sits after its 2 query heads in wqkv; GGUF K row 0 = its row 0.
    expect(Array.from(k.subarray(0, h))).toEqual(Array.from(wqkv.subarray(2 * hd * h, (2 * hd + 1) * h)));
  });

  it('tied embeddings: GGUF gets an output tensor, HF round trip drops it again', async () => {
    const config = makeInternLM2Config({
      vocab_size: 64,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      tie_word_embeddings: true,
    });
    const weights = initInternLM2(config, { seed: 3 });
    const dir = join(tmp, 'tied');
    await saveHfModel(dir, config, weights);
    const { gguf, back } = await hfToGgufToHf(dir, 'tied');
    const f = await GgufFile.open(gguf);
    expect(f.tensor('output.weight')).toBeDefined();
    await f.close();
    const b = await loadHfModel(back);
    expect(b.config.tie_word_embeddings).toBe(true);
    expect(b.weights.has('output.weight')).toBe(false);
    const tokens = [1, 2, 3, 4, 5];
    const want = new InternLM2Reference(config, weights).forward(tokens);
    expect(Array.from(new InternLM2Reference(b.config, b.weights).forward(tokens))).toEqual(Array.from(want));
  });

  it('Q8_0 output quantizes matrices, keeps norms F32, and stays close in logits', async () => {
    const dir = join(fixtures, 'tiny-gqa');
    const { gguf, back } = await hfToGgufToHf(dir, 'q8', 'q8_0');
    const f = await GgufFile.open(gguf);
    expect(f.requireTensor('blk.0.ffn_up.weight').type).toBe(GgmlType.Q8_0);
    expect(f.requireTensor('blk.0.attn_norm.weight').type).toBe(GgmlType.F32);
    expect(f.getNumber('general.file_type')).toBe(7);
    await f.close();
    const a = await loadHfModel(dir);
    const b = await loadHfModel(back);
    const tokens = [1, 17, 42, 99, 3, 127];
    const la = new InternLM2Reference(a.config, a.weights).forward(tokens);
    const lb = new InternLM2Reference(b.config, b.weights).forward(tokens);
    let m = 0;
    for (let i = 0; i < la.length; i++) m = Math.max(m, Math.abs(la[i] - lb[i]));
    console.log(`[convert] Q8_0 round trip: max logit diff ${m.toExponential(3)}`);
    expect(m).toBeGreaterThan(0);
    expect(m).toBeLessThan(0.1);
  });
});
