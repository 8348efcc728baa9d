import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  convertHfToGguf,
  type InternLM2Config,
  InternLM2Reference,
  initInternLM2,
  makeByteLevelSentencePiece,
  makeInternLM2Config,
  Prng,
  saveHfModel,
} from '@puyu/model';
import { getLlama, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { LoraAdapter } from './LoraAdapter.js';
import { saveLoraAdapter, writeLoraGguf } from './loraExport.js';
import { initLoraWeights, type LoraSettings, mergeLora } from './loraWeights.js';
import { mergeLoraAdapter } from './mergeAdapter.js';

// Issue 11's LoRA parity: llama.cpp (node-llama-cpp) running the base GGUF plus our GGUF LoRA,
// llama.cpp running our merged model, our pure-TS reference forward on W + scale·B·A, and the
// training graph (ggml, adapter hook) agree on next-token probabilities. B is random and large
// enough that the adapter moves the distribution far more than the bound, so the test can fail
// (a wrong wqkv split or Q/K permutation of B scrambles attention).
const tmp = mkdtempSync(join(tmpdir(), 'puyu-lora-parity-'));
let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
});
afterAll(async () => {
  await llama?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const VOCAB = 384;
const PROMPTS = [
  Array.from({ length: 24 }, (_, i) => (1 + i * 37) % VOCAB),
  Array.from({ length: 16 }, (_, i) => (5 + i * i * 11) % VOCAB),
  Array.from({ length: 20 }, (_, i) => (300 - i * 13 + VOCAB) % VOCAB),
];

function softmax(row: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]);
  const p = new Float64Array(row.length);
  let s = 0;
  for (let i = 0; i < row.length; i++) {
    p[i] = Math.exp(row[i] - max);
    s += p[i];
  }
  for (let i = 0; i < row.length; i++) p[i] /= s;
  return p;
}

/** Next-token distributions at every position of each prompt, from node-llama-cpp. */
async function llamaProbs(modelPath: string, lora?: string): Promise<Float64Array[][]> {
  const model = await llama.loadModel({ modelPath });
  try {
    const out: Float64Array[][] = [];
    for (const prompt of PROMPTS) {
      // F32 KV cache: llama.cpp's default F16 cache alone moves probabilities by ~4e-4
      const context = await model.createContext({
        contextSize: 64,
        threads: 1,
        batchSize: 64,
        flashAttention: false,
        experimentalKvCacheKeyType: 'F32',
        experimentalKvCacheValueType: 'F32',
        lora: lora ? { adapters: [{ filePath: lora, scale: 1 }] } : undefined,
      });
      try {
        const r = await context
          .getSequence()
          .controlledEvaluate(prompt.map((t) => [t, { generateNext: { probabilities: true } }] as never));
        out.push(
          prompt.map((_, t) => {
            const probs = r[t]?.next.probabilities;
            if (!probs) throw new Error(`no probabilities at position ${t}`);
            return Float64Array.from({ length: VOCAB }, (_, id) => probs.get(id as never) ?? 0);
          }),
        );
      } finally {
        await context.dispose();
      }
    }
    return out;
  } finally {
    await model.dispose();
  }
}

function maxDiff(a: Float64Array[][], b: Float64Array[][]): number {
  let d = 0;
  a.forEach((rows, i) => {
    rows.forEach((p, t) => {
      for (let id = 0; id < p.length; id++) d = Math.max(d, Math.abs(p[id] - b[i][t][id]));
    });
  });
  return d;
}

describe('LoRA parity: llama.cpp + GGUF adapter = llama.cpp merged = reference = training graph', () => {
  it('agrees within 1e-3 on next-token probabilities at every position of three prompts', async () => {
    const config: InternLM2Config = makeInternLM2Config({
      vocab_size: VOCAB,
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: 128,
      rope_theta: 1_000_000,
      rms_norm_eps: 1e-5,
    });
    const base = initInternLM2(config, { seed: 7, std: 0.2 });
    const settings: LoraSettings = { rank: 4, alpha: 8, dropout: 0, target_modules: ['wqkv', 'wo', 'w1', 'w2', 'w3'] };
    const adapter = initLoraWeights(config, settings, 1);
    const rng = new Prng(2);
    for (const [name, t] of adapter) if (name.includes('lora_B')) for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal() * 0.1;

    const baseDir = join(tmp, 'base');
    await saveHfModel(baseDir, config, base, { tokenizer: makeByteLevelSentencePiece(VOCAB) });
    const baseGguf = join(tmp, 'base.gguf');
    await convertHfToGguf(baseDir, baseGguf, { type: 'f32' });
    const adapterDir = join(tmp, 'adapter');
    await saveLoraAdapter(adapterDir, settings, adapter, baseDir);
    const loraGguf = join(tmp, 'adapter-f32.gguf');
    await writeLoraGguf(loraGguf, config, settings, adapter, 'f32');
    const merged = await mergeLoraAdapter({ base: baseDir, adapter: adapterDir, out: join(tmp, 'merged'), gguf: ['f32'] });

    const mergedWeights = mergeLora(config, base, adapter, settings);
    const reference = PROMPTS.map((p) => {
      const logits = new InternLM2Reference(config, mergedWeights).forward(p);
      return p.map((_, t) => softmax(logits.subarray(t * VOCAB, (t + 1) * VOCAB)));
    });
    const baseRef = PROMPTS.map((p) => {
      const logits = new InternLM2Reference(config, base).forward(p);
      return p.map((_, t) => softmax(logits.subarray(t * VOCAB, (t + 1) * VOCAB)));
    });
    using g = new GgmlInternLM2(config, base, {
      threads: 1,
      adapter: (backend) => {
        const a = new LoraAdapter(backend, config, settings);
        a.upload(adapter);
        return a;
      },
    });
    const graph = PROMPTS.map((p) => {
      const logits = g.forward([p]);
      return p.map((_, t) => softmax(logits.subarray(t * VOCAB, (t + 1) * VOCAB)));
    });
    const withLora = await llamaProbs(baseGguf, loraGguf);
    const mergedLlama = await llamaProbs(merged.gguf[0]);

    const d = {
      adapterEffect: maxDiff(baseRef, reference),
      llamaLoraVsReference: maxDiff(withLora, reference),
      llamaMergedVsReference: maxDiff(mergedLlama, reference),
      llamaLoraVsMerged: maxDiff(withLora, mergedLlama),
      graphVsReference: maxDiff(graph, reference),
    };
    console.log(
      `[lora-parity] max |Δp| over ${PROMPTS.reduce((a, p) => a + p.length, 0)} positions × ${VOCAB}: ` +
        Object.entries(d)
          .map(([k, v]) => `${k} ${v.toExponential(3)}`)
          .join(', '),
    );
    expect(d.adapterEffect).toBeGreaterThan(5e-2);
    expect(d.llamaLoraVsReference).toBeLessThanOrEqual(1e-3);
    expect(d.llamaMergedVsReference).toBeLessThanOrEqual(1e-3);
    expect(d.llamaLoraVsMerged).toBeLessThanOrEqual(1e-3);
    expect(d.graphVsReference).toBeLessThanOrEqual(1e-3);
  });
});
