/** The llama.cpp-quantized fixture is a working model: node-llama-cpp loads it, tokenizes and decodes. */
import { join } from 'node:path';
import koffi from 'koffi';
import { getLlama, type Token } from 'node-llama-cpp';
import { expect, it } from 'vitest';
import { GgufFile } from './GgufFile.js';

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

it("our Q4_K / Q6_K dequantization equals libggml's on every K-quant tensor of the fixture", async () => {
  const BIN = join(import.meta.dirname, '../../../../node_modules/@node-llama-cpp/linux-x64/bins/linux-x64');
  const base = koffi.load(join(BIN, 'libggml-base.so'));
  const ggml = {
    q4_K: base.func('void dequantize_row_q4_K(const uint8_t *x, _Out_ float *y, int64_t k)'),
    q6_K: base.func('void dequantize_row_q6_K(const uint8_t *x, _Out_ float *y, int64_t k)'),
  };
  await using f = await GgufFile.open(join(import.meta.dirname, 'fixtures/tiny-internlm2-q4_k_m.gguf'));
  let checked = 0;
  for (const t of f.tensors) {
    if (t.typeName !== 'q4_K' && t.typeName !== 'q6_K') continue;
    const theirs = new Float32Array(t.nElements);
    ggml[t.typeName](await f.readTensorBytes(t.name), theirs, t.nElements);
    expect(Buffer.from((await f.readTensorF32(t.name)).buffer).equals(Buffer.from(theirs.buffer)), t.name).toBe(true);
    checked++;
  }
  expect(checked).toBe(16);
});
