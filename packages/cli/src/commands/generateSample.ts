import { getLlama, LlamaCompletion } from 'node-llama-cpp';

/** Greedy continuation of `prompt` by llama.cpp, for a quick look at a model. */
export async function generateSample(
  gguf: string,
  prompt: string,
  opts: { maxTokens: number; threads: number; temperature?: number },
): Promise<string> {
  // the same ggml CPU backend as training and serving (the native build when cached)
  (await import('@puyu/ggml')).useCpuBackendForNodeLlamaCpp();
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
  const model = await llama.loadModel({ modelPath: gguf });
  const context = await model.createContext({ contextSize: 512, threads: opts.threads });
  try {
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    return await completion.generateCompletion(prompt, { maxTokens: opts.maxTokens, temperature: opts.temperature ?? 0 });
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}
