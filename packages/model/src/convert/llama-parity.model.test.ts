import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama } from 'node-llama-cpp';
import { afterAll, describe, expect, it } from 'vitest';
import { makeInternLM2Config } from '../config.js';
import { saveHfModel } from '../hf/saveHfModel.js';
import { initInternLM2 } from '../init/initInternLM2.js';
import { InternLM2Reference } from '../reference/forward.js';
import { makeByteLevelSentencePiece } from '../tokenizer/byteLevelSentencePiece.js';
import { convertHfToGguf } from './convertModel.js';

const tmp = mkdtempSync(join(tmpdir(), 'puyu-parity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

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

describe('llama.cpp parity', () => {
  const cases = [
    { name: 'plain RoPE, θ=1e6', maxPos: 128, rope_theta: 1_000_000, rope_scaling: null },
    {
      name: 'linear RoPE scaling ×4 past max_position_embeddings',
      maxPos: 16,
      rope_theta: 10_000,
      rope_scaling: { type: 'linear' as const, factor: 4 },
    },
  ];
  for (const c of cases)
    it(`${c.name}: node-llama-cpp on our GGUF matches the reference next-token distribution (32 positions)`, async () => {
      const vocab = 384;
      const config = makeInternLM2Config({
        vocab_size: vocab,
        hidden_size: 64,
        intermediate_size: 128,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        max_position_embeddings: c.maxPos,
        rope_theta: c.rope_theta,
        rope_scaling: c.rope_scaling,
        rms_norm_eps: 1e-5,
      });
      // Larger than HF's 0.02 so the distributions are peaked and differences show.
      const weights = initInternLM2(config, { seed: 7, std: 0.2 });
      const hfDir = join(tmp, 'hf');
      await saveHfModel(hfDir, config, weights, { tokenizer: makeByteLevelSentencePiece(vocab) });
      const gguf = join(tmp, 'tiny.gguf');
      await convertHfToGguf(hfDir, gguf, { type: 'f32' });

      const tokens = Array.from({ length: 32 }, (_, i) => (1 + i * 37) % vocab);
      const ref = new InternLM2Reference(config, weights).forward(tokens);

      const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
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
        const seq = context.getSequence();
        const out = await seq.controlledEvaluate(tokens.map((t) => [t, { generateNext: { probabilities: true } }] as never));
        let maxProb = 0;
        let maxLogProb = 0;
        for (let t = 0; t < tokens.length; t++) {
          const probs = out[t]?.next.probabilities;
          expect(probs, `position ${t}`).toBeDefined();
          const want = softmax(ref.subarray(t * vocab, (t + 1) * vocab));
          for (let id = 0; id < vocab; id++) {
            const got = probs?.get(id as never) ?? 0;
            maxProb = Math.max(maxProb, Math.abs(got - want[id]));
            if (want[id] > 1e-4) maxLogProb = Math.max(maxLogProb, Math.abs(Math.log(got) - Math.log(want[id])));
          }
        }
        console.log(
          `[parity] ${c.name}: llama.cpp vs reference over 32 positions × ${vocab}: max |Δp| = ${maxProb.toExponential(3)}, max |Δlog p| (p>1e-4) = ${maxLogProb.toExponential(3)}`,
        );
        expect(maxProb).toBeLessThanOrEqual(1e-4);
      } finally {
        await context.dispose();
        await model.dispose();
        await llama.dispose();
      }
    });
});
