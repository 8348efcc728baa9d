import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@puyu/core';
import { GgufFile, SafetensorsFile, trainBpe, writeSafetensors, writeSentencePieceModel } from '@puyu/formats';
import { InternLM2Reference, loadHfModel } from '@puyu/model';
import { getLlama, LlamaCompletion } from 'node-llama-cpp';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, Checkpoints } from '../checkpoint/Checkpoints.js';
import { pretrain, type StepMetrics } from './pretrain.js';
import { parsePretrainConfig } from './pretrainConfig.js';
import { runPretrain } from './runPretrain.js';

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
  return parsePretrainConfig(rawConfig(out, steps, extra));
}

/** The raw config object (for runPretrain, which reads a file). */
function rawConfig(out: string, steps: number, extra: Record<string, unknown> = {}) {
  return {
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
  };
}

/** A run of `steps` stopped (as if killed) after step 4, right after its step-4 checkpoint. */
async function interrupted(name: string, steps = 8, extra: Record<string, unknown> = {}): Promise<string> {
  const out = join(dir, name);
  await expect(pretrain(config(out, steps, extra), { quiet: true, stopAfter: 4 })).rejects.toMatchObject({ code: 'TRAIN_STOPPED' });
  return out;
}

let straight: Promise<StepMetrics[]> | undefined;
/** The metrics of one uninterrupted 12-step run, shared by the resume tests. */
function straightMetrics(): Promise<StepMetrics[]> {
  straight ??= pretrain(config(join(dir, 'straight'), 12), { quiet: true }).then(() => metrics(join(dir, 'straight')));
  return straight;
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
    const ma = await straightMetrics();
    const b = join(dir, 'interrupted');
    await expect(pretrain(config(b, 12), { quiet: true, stopAfter: 6 })).rejects.toMatchObject({ code: 'TRAIN_STOPPED' });
    expect((await metrics(b)).length).toBe(6); // steps 5 and 6 ran after the step-4 checkpoint
    await expect(pretrain(config(b, 12), { quiet: true })).rejects.toMatchObject({ code: 'TRAIN_OUTPUT_EXISTS' });
    await pretrain(config(b, 12), { quiet: true, resume: true });
    const mb = await metrics(b);
    expect(mb.map((m) => m.step)).toEqual(ma.map((m) => m.step));
    expect(mb.map((m) => m.loss)).toEqual(ma.map((m) => m.loss));
    expect(mb.map((m) => m.val_loss)).toEqual(ma.map((m) => m.val_loss));
  });

  it('resumes exactly in bf16 mixed precision too, and refuses to resume in another precision', async () => {
    const bf16 = (out: string, extra: Record<string, unknown> = {}) =>
      config(out, 8, { train: { ...rawConfig(out, 8).train, precision: 'bf16' }, ...extra });
    const a = join(dir, 'bf16-straight');
    await pretrain(bf16(a), { quiet: true });
    const b = join(dir, 'bf16-interrupted');
    await expect(pretrain(bf16(b), { quiet: true, stopAfter: 6 })).rejects.toMatchObject({ code: 'TRAIN_STOPPED' });
    await expect(
      pretrain(config(b, 8, { train: { ...rawConfig(b, 8).train, precision: 'fp32' } }), { quiet: true, resume: true }),
    ).rejects.toMatchObject({
      code: 'TRAIN_RESUME_CHANGED',
      message: expect.stringContaining('optimizer: train.precision "bf16" → (unset)'),
    });
    await pretrain(bf16(b), { quiet: true, resume: true });
    const [ma, mb] = [await metrics(a), await metrics(b)];
    expect(mb.map((m) => m.loss)).toEqual(ma.map((m) => m.loss));
    expect(mb.map((m) => m.val_loss)).toEqual(ma.map((m) => m.val_loss));
    const manifest = JSON.parse(
      await readFile(join((await new Checkpoints(join(b, 'checkpoints')).latest())!.path, 'manifest.json'), 'utf8'),
    );
    expect(manifest.fingerprint.optimizer.config['train.precision']).toBe('bf16');
    // bf16 really ran: its losses differ from the fp32 run's on the same data
    const fp32 = join(dir, 'fp32-straight');
    await pretrain(config(fp32, 8, { train: { ...rawConfig(fp32, 8).train, precision: 'fp32' } }), { quiet: true });
    const mf = await metrics(fp32);
    expect(mf[7].loss).not.toBe(ma[7].loss);
    expect(Math.abs(mf[7].loss - ma[7].loss) / mf[7].loss).toBeLessThan(0.02);
  });

  it('trains with data-parallel replicas: within float rounding of one replica, and resumes exactly', async () => {
    const ma = await straightMetrics();
    const two = (out: string) => config(out, 12, { train: { ...rawConfig(out, 12).train, replicas: 2 } });
    const a = join(dir, 'replicas-straight');
    await pretrain(two(a), { quiet: true });
    const mr = await metrics(a);
    // the same batches and the same masked mean, summed in another order: the first step agrees to
    // float rounding, and the runs stay close (each step's rounding feeds the next)
    expect(Math.abs(mr[0].loss - ma[0].loss) / ma[0].loss).toBeLessThan(1e-6);
    for (let i = 0; i < 12; i++) expect(Math.abs(mr[i].loss - ma[i].loss) / ma[i].loss).toBeLessThan(1e-3);
    const b = join(dir, 'replicas-interrupted');
    await expect(pretrain(two(b), { quiet: true, stopAfter: 6 })).rejects.toMatchObject({ code: 'TRAIN_STOPPED' });
    await pretrain(two(b), { quiet: true, resume: true });
    const mb = await metrics(b);
    expect(mb.map((m) => m.loss)).toEqual(mr.map((m) => m.loss));
    expect(mb.map((m) => m.val_loss)).toEqual(mr.map((m) => m.val_loss));
  });

  it('resume keeps the metrics history when a kill tore the last line of metrics.jsonl', async () => {
    const ma = await straightMetrics();
    const b = join(dir, 'torn');
    await expect(pretrain(config(b, 12), { quiet: true, stopAfter: 6 })).rejects.toMatchObject({ code: 'TRAIN_STOPPED' });
    await appendFile(join(b, 'metrics.jsonl'), '{"step":7,"loss":2.0313,"lr":0.0');
    await pretrain(config(b, 12), { quiet: true, resume: true });
    const mb = await metrics(b);
    expect(mb.map((m) => m.step)).toEqual(ma.map((m) => m.step));
    expect(mb.map((m) => m.loss)).toEqual(ma.map((m) => m.loss));
  });

  it('resume refuses a checkpoint that lacks a tensor of the model, naming it', async () => {
    const out = await interrupted('lacks-tensor');
    // rewrite the step-4 checkpoint without one tensor, checksums updated (a consistent but partial checkpoint)
    const ck = (await new Checkpoints(join(out, 'checkpoints')).latest())!.path;
    const file = join(ck, 'model.safetensors');
    const kept = [];
    {
      await using st = await SafetensorsFile.open(file);
      for (const t of st.tensors)
        if (t.name !== 'model.norm.weight')
          kept.push({ name: t.name, dtype: 'F32' as const, shape: [...t.shape], data: await st.readF32(t.name) });
    }
    await writeSafetensors(file, kept);
    const manifest = JSON.parse(await readFile(join(ck, 'manifest.json'), 'utf8'));
    manifest.files['model.safetensors'] = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
    await writeFile(join(ck, 'manifest.json'), JSON.stringify(manifest));
    await expect(pretrain(config(out, 8), { quiet: true, resume: true })).rejects.toMatchObject({
      code: 'CHECKPOINT_MISMATCH',
      message: expect.stringContaining('lacks 1 tensor(s) of this model: model.norm.weight'),
    });
  });

  it('resume refuses a changed model, optimiser or data, naming what changed; steps, intervals, threads and replicas may change', async () => {
    const own = join(dir, 'changes-corpus.txt');
    await copyFile(data, own);
    const withData = { data: { train: [own], val_fraction: 0.1 } };
    const out = await interrupted('changes', 8, withData);
    const resume = (steps: number, extra: Record<string, unknown>) =>
      pretrain(config(out, steps, { ...withData, ...extra }), { quiet: true, resume: true });
    const train = rawConfig(out, 8).train;
    await expect(resume(8, { train: { ...train, lr: 1e-3 } })).rejects.toMatchObject({
      code: 'TRAIN_RESUME_CHANGED',
      message: expect.stringContaining('optimizer: train.lr 0.003 → 0.001'),
    });
    await expect(resume(8, { model: { ...rawConfig(out, 8).model, hidden_size: 64 } })).rejects.toMatchObject({
      code: 'TRAIN_RESUME_CHANGED',
      message: expect.stringContaining('model: model.hidden_size 32 → 64'),
    });
    const original = await readFile(own);
    await appendFile(own, '\n\nbob gives ada 1 apple.');
    await expect(resume(8, {})).rejects.toMatchObject({
      code: 'TRAIN_RESUME_CHANGED',
      message: expect.stringMatching(/data: train file .*changes-corpus\.txt has other content/),
    });
    await writeFile(own, original);
    await resume(10, {
      train: { ...train, steps: 10, threads: 2, replicas: 2 },
      eval: { every: 5, batches: 2 },
      checkpoint: { every: 5, keep_last: 1 },
    });
    expect((await metrics(out)).map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('resume refuses malformed trainer state in the checkpoint manifest, naming the field', async () => {
    const out = await interrupted('bad-state');
    const ck = (await new Checkpoints(join(out, 'checkpoints')).latest())!.path;
    const manifest = JSON.parse(await readFile(join(ck, 'manifest.json'), 'utf8'));
    manifest.extra.batcher.cursor = String(manifest.extra.batcher.cursor);
    await writeFile(join(ck, 'manifest.json'), JSON.stringify(manifest));
    await expect(pretrain(config(out, 8), { quiet: true, resume: true })).rejects.toMatchObject({
      code: 'CHECKPOINT_CORRUPT',
      message: expect.stringContaining('batcher.cursor:'),
    });
  });

  it('runPretrain: an error in the training process arrives with its class and code', async () => {
    const cfgPath = join(dir, 'missing-data.json');
    await writeFile(cfgPath, JSON.stringify(rawConfig(join(dir, 'missing-data'), 8, { data: { train: [join(dir, 'nope.txt')] } })));
    const missing = await runPretrain(cfgPath).catch((e) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.code).toBe('TRAIN_DATA_NOT_FOUND');

    const out = await interrupted('child-checkpoint-error');
    const ck = (await new Checkpoints(join(out, 'checkpoints')).latest())!.path;
    const manifest = JSON.parse(await readFile(join(ck, 'manifest.json'), 'utf8'));
    delete manifest.extra.tokensSeen;
    await writeFile(join(ck, 'manifest.json'), JSON.stringify(manifest));
    const resumeCfg = join(dir, 'child-checkpoint-error.json');
    await writeFile(resumeCfg, JSON.stringify(rawConfig(out, 8)));
    const corrupt = await runPretrain(resumeCfg, { resume: true }).catch((e) => e);
    expect(corrupt).toBeInstanceOf(CheckpointError);
    expect(corrupt).toMatchObject({ name: 'CheckpointError', code: 'CHECKPOINT_CORRUPT', message: expect.stringContaining('tokensSeen') });
  });

  it('refuses held-out data shorter than one row before step 1, naming the held-out split', async () => {
    const oneDoc = join(dir, 'one-doc.txt');
    await writeFile(oneDoc, corpus().replace(/\n\n/g, '\n')); // no blank lines: one document, so val_fraction takes none
    const out = join(dir, 'no-heldout');
    await expect(pretrain(config(out, 8, { data: { train: [oneDoc], val_fraction: 0.1 } }), { quiet: true })).rejects.toMatchObject({
      code: 'TRAIN_DATA_TOO_SMALL',
      message: expect.stringMatching(/held-out split \(val_fraction 0.1\)/),
    });
    expect(existsSync(join(out, 'metrics.jsonl'))).toBe(false);
  });

  it('refuses a run that cannot fit in memory, before starting', async () => {
    await expect(pretrain(config(join(dir, 'huge'), 10, { memory_limit_gb: 0.0001 }), { quiet: true })).rejects.toMatchObject({
      code: 'TRAIN_OUT_OF_MEMORY',
      message: expect.stringMatching(/needs about .* GiB/),
    });
  });
});
