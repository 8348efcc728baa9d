import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InternLM2Config, makeInternLM2Config } from '../config.js';
import { loadHfModel } from '../hf/openHfModel.js';
import { saveHfModel } from '../hf/saveHfModel.js';
import { initInternLM2 } from '../init/initInternLM2.js';
import { InternLM2Reference } from '../reference/InternLM2Reference.js';
import { makeByteLevelSentencePiece } from '../tokenizer/byteLevelSentencePiece.js';
import type { InternLM2Weights } from '../weights.js';
import { convertGgufToHf, convertHfToGguf } from './convertModel.js';
import type { GgufOutputType } from './gguf-names.js';

const tmp = mkdtempSync(join(tmpdir(), 'puyu-parity-'));
let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
});
afterAll(async () => {
  await llama?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const VOCAB = 384;
const TOKENS = Array.from({ length: 32 }, (_, i) => (1 + i * 37) % VOCAB);

function softmax(row: Float32Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of row) max = Math.max(max, v);
  const p = new Float64Array(row.length);
  let s = 0;
  for (let i = 0; i < row.length; i++) {
    p[i] = Math.exp(row[i] - max);
    s += p[i];
  }
  for (let i = 0; i < row.length; i++) p[i] /= s;
  return p;
}

function tinyModel(extra: Partial<InternLM2Config>): { config: InternLM2Config; weights: InternLM2Weights } {
  const config = makeInternLM2Config({
    vocab_size: VOCAB,
    hidden_size: 64,
    intermediate_size: 128,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 128,
    rope_theta: 1_000_000,
    rms_norm_eps: 1e-5,
    ...extra,
  });
  // Larger than HF's 0.02 so the distributions are peaked and differences show.
  return { config, weights: initInternLM2(config, { seed: 7, std: 0.2 }) };
}

async function toGguf(tag: string, config: InternLM2Config, weights: InternLM2Weights, type: GgufOutputType): Promise<string> {
  const hfDir = join(tmp, tag);
  await saveHfModel(hfDir, config, weights, { tokenizer: makeByteLevelSentencePiece(config.vocab_size) });
  const gguf = join(tmp, `${tag}.gguf`);
  await convertHfToGguf(hfDir, gguf, { type });
  return gguf;
}

/** Max |Δp| and max |Δlog p| (over p > 1e-4) between llama.cpp and the reference, over every position. */
async function compare(gguf: string, config: InternLM2Config, weights: InternLM2Weights) {
  const ref = new InternLM2Reference(config, weights).forward(TOKENS);
  const model = await llama.loadModel({ modelPath: gguf });
  // An F32 KV cache: llama.cpp's default F16 cache alone moves probabilities by ~4e-4.
  const context = await model.createContext({
    contextSize: 64,
    threads: 1,
    batchSize: 64,
    flashAttention: false,
    experimentalKvCacheKeyType: 'F32',
    experimentalKvCacheValueType: 'F32',
  });
  try {
    const out = await context.getSequence().controlledEvaluate(TOKENS.map((t) => [t, { generateNext: { probabilities: true } }] as never));
    let dp = 0;
    let dlogp = 0;
    const v = config.vocab_size;
    for (let t = 0; t < TOKENS.length; t++) {
      const probs = out[t]?.next.probabilities;
      expect(probs, `position ${t}`).toBeDefined();
      const want = softmax(ref.subarray(t * v, (t + 1) * v));
      for (let id = 0; id < v; id++) {
        const got = probs?.get(id as never) ?? 0;
        dp = Math.max(dp, Math.abs(got - want[id]));
        if (want[id] > 1e-4) dlogp = Math.max(dlogp, Math.abs(Math.log(got) - Math.log(want[id])));
      }
    }
    return { dp, dlogp };
  } finally {
    await context.dispose();
    await model.dispose();
  }
}

describe('llama.cpp parity (F32 GGUF)', () => {
  const cases = [
    { name: 'plain RoPE, θ=1e6', extra: {} },
    // llama.cpp has no dynamic NTK; inside the trained context it is plain RoPE, and our puyu.* keys must not upset the loader.
    { name: 'dynamic NTK config inside max_position_embeddings', extra: { rope_scaling: { type: 'dynamic' as const, factor: 2 } } },
    {
      name: 'linear RoPE scaling ×4 past max_position_embeddings',
      extra: { max_position_embeddings: 16, rope_theta: 10_000, rope_scaling: { type: 'linear' as const, factor: 4 } },
    },
  ];
  for (const c of cases) {
    it(`${c.name}: node-llama-cpp matches the reference next-token distribution at 32 positions`, async () => {
      const { config, weights } = tinyModel(c.extra);
      const { dp, dlogp } = await compare(await toGguf(`f32-${c.name.length}`, config, weights, 'f32'), config, weights);
      console.log(
        `[parity] ${c.name}: llama.cpp vs reference, 32 positions × ${VOCAB}: max |Δp| = ${dp.toExponential(3)}, max |Δlog p| = ${dlogp.toExponential(3)}`,
      );
      expect(dp).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('llama.cpp reads every output type as we encode it', () => {
  // The reference runs on the GGUF's own weights decoded back to fp32 (GGUF → HF), so
  // only llama.cpp's arithmetic differs: for q8_0/q4_0 it also rounds activations to
  // 8 bits inside the matmul, and for f16/bf16 it rounds activations to that type.
  // A wrongly laid-out block would scramble the model (Δp ≈ 0.5).
  const bounds: Record<Exclude<GgufOutputType, 'f32'>, number> = { f16: 1e-3, bf16: 1e-2, q8_0: 3e-2, q4_0: 5e-2 };
  for (const [type, bound] of Object.entries(bounds) as [GgufOutputType, number][]) {
    it(`${type}`, async () => {
      const { config, weights } = tinyModel({});
      const gguf = await toGguf(type, config, weights, type);
      const back = join(tmp, `${type}-back`);
      await convertGgufToHf(gguf, back);
      const decoded = await loadHfModel(back);
      const exact = await compare(gguf, decoded.config, decoded.weights);
      const vsF32 = await compare(gguf, config, weights);
      console.log(
        `[parity] ${type}: max |Δp| llama.cpp vs reference on the decoded ${type} weights = ${exact.dp.toExponential(3)} ` +
          `(vs the fp32 original: ${vsF32.dp.toExponential(3)})`,
      );
      expect(exact.dp).toBeLessThanOrEqual(bound);
    });
  }
});
