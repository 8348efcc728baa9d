import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgufFile, trainBpe, writeSentencePieceModel } from '@puyu/formats';
import { InternLM2Reference, loadHfModel } from '@puyu/model';
import { getLlama, LlamaCompletion } from 'node-llama-cpp';
import { beforeAll, describe, expect, it } from 'vitest';
import { pretrain, type StepMetrics } from './pretrain.js';
import { parsePretrainConfig } from './pretrainConfig.js';

// A tiny synthetic corpus with real structure (counting, repeated phrases), so a few
// hundred steps of a tiny model beat the unigram baseline clearly.
function corpus(): string {
  const names = ['ada', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus', 'hal'];
  const docs: string[] = [];
  for (let i = 0; i < 160; i++) {
    const a = names[i % names.length];
    const b = names[(i * 3 + 1) % names.length];
    const n = i % 10;
    docs.push(
      `${a} gives ${b} ${n} apples. then ${b} has ${n} apples and ${a} has none. count: ${Array.from({ length: n + 1 }, (_, k) => k).join(' ')}.`,
    );
  }
  return docs.join('\n\n');
}

let dir: string;
let tokenizer: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-pretrain-'));
  data = join(dir, 'corpus.txt');
  await writeFile(data, corpus());
  const { model } = await trainBpe(corpus().split('\n'), { vocabSize: 400, byteFallback: true });
  tokenizer = join(dir, 'tok.model');
  await writeSentencePieceModel(tokenizer, model);
});

function config(out: string, steps: number, extra: Record<string, unknown> = {}) {
  return parsePretrainConfig({
    tokenizer,
    model: {
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      intermediate_size: 64,
      max_position_embeddings: 64,
    },
    data: { train: [data], val_fraction: 0.1 },
    train: { seq_len: 32, batch_size: 4, steps, lr: 3e-3, min_lr: 3e-4, warmup_steps: 5, seed: 5, threads: 1 },
    eval: { every: 4, batches: 2 },
    checkpoint: { every: 4, keep_last: 2 },
    output: { dir: out, gguf: ['f32'] },
    ...extra,
  });
}

async function metrics(out: string): Promise<StepMetrics[]> {
  return (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('pretrain', () => {
  it('learns: held-out loss ends well below the unigram baseline; exports HF + GGUF', async () => {
    const out = join(dir, 'learn');
    const r = await pretrain(config(out, 80, { eval: { every: 20, batches: 2 }, checkpoint: { every: 40, keep_last: 1 } }), {
      quiet: true,
    });
    const m = await metrics(out);
    expect(m).toHaveLength(80);
    expect(m[0].loss).toBeGreaterThan(m[79].loss + 1);
    console.log(
      `pretrain: loss ${m[0].loss.toFixed(3)} → ${m[79].loss.toFixed(3)}, held-out ${r.valLoss?.toFixed(3)}, unigram ${r.unigramLoss.toFixed(3)}`,
    );
    expect(r.valLoss!).toBeLessThan(r.unigramLoss * 0.8);
    const hf = await loadHfModel(r.outputs.hf);
    expect(hf.config.hidden_size).toBe(32);
    await using g = await GgufFile.open(r.outputs.gguf[0]);
    expect(g.architecture).toBe('internlm2');
    expect(await readFile(r.outputs.curve, 'utf8')).toContain('<svg');

    // The exported GGUF runs in llama.cpp, agrees with our reference on the exported HF weights, and generates.
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
    const model = await llama.loadModel({ modelPath: r.outputs.gguf[0] });
    const ctx = await model.createContext({
      contextSize: 64,
      threads: 1,
      flashAttention: false,
      experimentalKvCacheKeyType: 'F32',
      experimentalKvCacheValueType: 'F32',
    });
    try {
      const prompt = model.tokenize('ada gives bob 3 apples. then bob has');
      const seq = ctx.getSequence();
      const out = await seq.controlledEvaluate(prompt.map((t) => [t, { generateNext: { probabilities: true } }] as never));
      const ref = new InternLM2Reference(hf.config, hf.weights).forward(prompt.map(Number));
      const V = hf.config.vocab_size;
      let dp = 0;
      for (let t = 0; t < prompt.length; t++) {
        const row = ref.subarray(t * V, (t + 1) * V);
        const max = row.reduce((a, b) => Math.max(a, b), -Infinity);
        const z = row.reduce((a, b) => a + Math.exp(b - max), 0);
        for (let id = 0; id < V; id++)
          dp = Math.max(dp, Math.abs((out[t]?.next.probabilities?.get(id as never) ?? 0) - Math.exp(row[id] - max) / z));
      }
      console.log(`exported GGUF vs reference on exported HF weights: max |Δp| = ${dp.toExponential(2)}`);
      expect(dp).toBeLessThan(1e-4);
      await seq.clearHistory();
      const completion = new LlamaCompletion({ contextSequence: seq });
      const text = await completion.generateCompletion('ada gives bob', { maxTokens: 16, temperature: 0 });
      console.log(`sample: "ada gives bob${text}"`);
      expect(text.length).toBeGreaterThan(0);
    } finally {
      await ctx.dispose();
      await model.dispose();
      await llama.dispose();
    }
  });

  it('resumes exactly: an interrupted run ends with the same losses as an uninterrupted one', async () => {
    const a = join(dir, 'straight');
    await pretrain(config(a, 12), { quiet: true });
    const b = join(dir, 'interrupted');
    await expect(pretrain(config(b, 12), { quiet: true, stopAfter: 6 })).rejects.toMatchObject({ code: 'TRAIN_STOPPED' });
    expect((await metrics(b)).length).toBe(6); // steps 5 and 6 ran after the step-4 checkpoint
    await expect(pretrain(config(b, 12), { quiet: true })).rejects.toMatchObject({ code: 'TRAIN_OUTPUT_EXISTS' });
    await pretrain(config(b, 12), { quiet: true, resume: true });
    const ma = await metrics(a);
    const mb = await metrics(b);
    expect(mb.map((m) => m.step)).toEqual(ma.map((m) => m.step));
    expect(mb.map((m) => m.loss)).toEqual(ma.map((m) => m.loss));
    expect(mb.map((m) => m.val_loss)).toEqual(ma.map((m) => m.val_loss));
  });

  it('refuses a run that cannot fit in memory, before starting', async () => {
    await expect(pretrain(config(join(dir, 'huge'), 10, { memory_limit_gb: 0.0001 }), { quiet: true })).rejects.toMatchObject({
      code: 'TRAIN_OUT_OF_MEMORY',
      message: expect.stringMatching(/needs about .* GiB/),
    });
  });
});
