/** The llama.cpp-quantized fixture is a working model: node-llama-cpp loads it, tokenizes and decodes. */
import { join } from 'node:path';
import { getLlama, type Token } from 'node-llama-cpp';
import { expect, it } from 'vitest';

it('node-llama-cpp loads the Q4_K_M fixture and evaluates a token', async () => {
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath: join(import.meta.dirname, 'fixtures/tiny-internlm2-q4_k_m.gguf') });
  try {
    expect(model.fileInfo.metadata.general.architecture).toBe('internlm2');
    expect(model.tokens.bos).toBe(1);
    expect(model.tokens.eos).toBe(2);
    // '▁a', '▁b', '▁c' are ids 261..263 in the fixture's vocabulary (after 5 specials and 256 bytes).
    expect(Array.from(model.tokenize('a b c'))).toEqual([261, 262, 263]);
    const ctx = await model.createContext({ contextSize: 64, threads: 1 });
    try {
      const next = await ctx
        .getSequence()
        .evaluate([1, 261, 262, 263] as Token[])
        .next();
      expect(next.value).toBeGreaterThanOrEqual(0);
      expect(next.value).toBeLessThan(512);
    } finally {
      await ctx.dispose();
    }
  } finally {
    await model.dispose();
    await llama.dispose();
  }
});
