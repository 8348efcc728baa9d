/**
 * The floor for single-stream overhead: the same model and context settings as our server, driven
 * straight through node-llama-cpp (`sequence.evaluate`, greedy, EOS ignored) with no HTTP, no
 * scheduler. Reads one JSON job per stdin line `{prompt: number[], maxTokens}` and answers one
 * JSON line `{ttftMs, e2eMs, tokens}` per job.
 */
import { createInterface } from 'node:readline';
import { useCpuBackendForNodeLlamaCpp } from '@puyu/ggml';
import { getLlama, LlamaLogLevel, type Token } from 'node-llama-cpp';

const o = JSON.parse(process.argv[2] ?? '{}') as {
  model: string;
  sequences: number;
  contextSize: number;
  threads: number;
  batchSize: number;
  kvCacheType: 'f16' | 'q8_0';
};
const kv = o.kvCacheType === 'q8_0' ? 'Q8_0' : 'F16';
// the same ggml CPU backend as our server's Engine (the native build when cached), so only the serving layer differs
useCpuBackendForNodeLlamaCpp();
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: o.model });
// Same context as the server's Engine: N sequences of contextSize each, same batch and threads,
// so the per-token kernels and KV layout are identical and only the serving layer differs.
const context = await model.createContext({
  sequences: o.sequences,
  contextSize: o.contextSize,
  batchSize: o.batchSize,
  threads: o.threads,
  flashAttention: o.kvCacheType === 'q8_0',
  experimentalKvCacheKeyType: kv,
  experimentalKvCacheValueType: kv,
});
const seq = context.getSequence();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const job = JSON.parse(line) as { prompt: number[]; maxTokens: number };
  if (seq.nextTokenIndex > 0) await seq.eraseContextTokenRanges([{ start: 0, end: seq.nextTokenIndex }]);
  const t0 = performance.now();
  let ttft = 0;
  let n = 0;
  for await (const _ of seq.evaluate(job.prompt as Token[], { temperature: 0, topK: 0, topP: 1, yieldEogToken: true })) {
    if (n === 0) ttft = performance.now() - t0;
    if (++n >= job.maxTokens) break;
  }
  process.stdout.write(`${JSON.stringify({ ttftMs: ttft, e2eMs: performance.now() - t0, tokens: n })}\n`);
}
await context.dispose();
await model.dispose();
await llama.dispose();
