import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { hashArtefact } from '@puyu/core/lineage';
import { QUICKSTART_MODEL, type QuickstartProfile } from './profile.js';

export interface TrainedModel {
  hf: string;
  gguf: string[];
  hash: string;
  finalLoss: number;
  valLoss?: number;
}

async function writeConfig(path: string, config: object): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`);
}

/** Resumes from the run's newest checkpoint when an earlier (killed) run left one. */
async function resumeIfKilled(dir: string): Promise<boolean> {
  const { Checkpoints } = await import('@puyu/train');
  const resume = (await new Checkpoints(join(dir, 'checkpoints')).latest()) !== undefined;
  if (resume) process.stderr.write('  resuming from the newest checkpoint of an earlier run\n');
  return resume;
}

async function trainedModel(r: { finalLoss: number; valLoss?: number; outputs: { hf: string; gguf: string[] } }): Promise<TrainedModel> {
  const { hf, gguf } = r.outputs;
  return { hf, gguf, hash: (await hashArtefact(hf)).hash, finalLoss: r.finalLoss, valLoss: r.valLoss };
}

/**
 * Stage 3: a tiny InternLM2 from scratch on the cleaned corpus plus generated copy drills over common
 * words, characters and numbers, so the base can copy numbers before SFT teaches the tool protocol.
 */
export async function pretrainBase(o: {
  out: string;
  tokenizer: string;
  corpus: string[];
  profile: QuickstartProfile;
  threads: number;
  replicas: number;
}): Promise<TrainedModel> {
  const p = o.profile.pretrain;
  const dir = join(o.out, 'pretrain');
  const configPath = join(o.out, 'pretrain.json');
  const rel = (f: string) => relative(o.out, f);
  await writeConfig(configPath, {
    tokenizer: rel(o.tokenizer),
    model: QUICKSTART_MODEL,
    data: {
      train: o.corpus.map(rel),
      generate: { kind: 'word_drills', docs: p.generatedDocs, seed: 0 },
      val_fraction: 0.01,
    },
    train: {
      seq_len: p.seqLen,
      batch_size: p.batchSize,
      steps: p.steps,
      lr: 3e-3,
      min_lr: 3e-4,
      warmup_steps: Math.min(100, Math.floor(p.steps / 4)),
      seed: 1234,
      threads: o.threads,
      replicas: o.replicas,
    },
    eval: { every: p.evalEvery, batches: 4 },
    checkpoint: { every: p.checkpointEvery, keep_last: 2 },
    output: { dir: rel(dir), gguf: ['q8_0'] },
  });
  const { runPretrain } = await import('@puyu/train');
  const r = await runPretrain(configPath, { resume: await resumeIfKilled(dir) });
  process.stderr.write(
    `  train loss ${r.finalLoss.toFixed(3)}, held-out ${r.valLoss?.toFixed(3) ?? '-'} vs unigram ${r.unigramLoss.toFixed(3)} nats/token; curve ${relative(process.cwd(), r.outputs.curve)}\n`,
  );
  return trainedModel(r);
}

export interface SftModel extends TrainedModel {
  heldout: string;
}

/** Stage 4: full-parameter SFT on generated calculator dialogues (chat + tool calls), XTuner-style. */
export async function sftChat(o: {
  out: string;
  base: string;
  profile: QuickstartProfile;
  threads: number;
  replicas: number;
}): Promise<SftModel> {
  const p = o.profile.sft;
  const dir = join(o.out, 'sft');
  const configPath = join(o.out, 'sft.json');
  await writeConfig(configPath, {
    init_from: relative(o.out, o.base),
    data: {
      generate: { kind: 'calculator', train: p.dialogues, heldout: p.heldout, seed: 0, train_multi_turn_share: 0.7 },
    },
    train: {
      seq_len: 512,
      batch_size: 2,
      steps: p.steps,
      lr: 1e-3,
      min_lr: 5e-5,
      warmup_steps: Math.min(50, Math.floor(p.steps / 4)),
      weight_decay: 0,
      grad_clip: 1,
      seed: 1234,
      threads: o.threads,
      replicas: o.replicas,
    },
    eval: { every: p.evalEvery, batches: 4 },
    checkpoint: { every: p.checkpointEvery, keep_last: 2 },
    output: { dir: 'sft', gguf: ['f16'] },
  });
  const { runSft } = await import('@puyu/train');
  const r = await runSft(configPath, { resume: await resumeIfKilled(dir) });
  process.stderr.write(`  train loss ${r.finalLoss.toFixed(3)}, held-out ${r.valLoss?.toFixed(3) ?? '-'} (assistant tokens)\n`);
  return { ...(await trainedModel(r)), heldout: join(dir, 'heldout.jsonl') };
}

export interface QuantizedModel {
  path: string;
  hash: string;
  bytes: number;
}

/** Stage 5: f16 → q8_0 with llama.cpp's own quantizer, as `puyu quantize` does. */
export async function quantizeChat(o: { source: string; out: string; threads: number }): Promise<QuantizedModel> {
  const { quantizeGgufModel } = await import('@puyu/ggml');
  const { writeLineage } = await import('@puyu/core/lineage');
  const path = join(o.out, 'sft', 'model-q8_0.gguf');
  if (existsSync(path)) await (await import('node:fs/promises')).rm(path);
  quantizeGgufModel(o.source, path, 'q8_0', { threads: o.threads, quiet: true });
  const rel = (f: string) => relative(process.cwd(), f);
  await writeLineage(path, {
    kind: 'gguf',
    command: `puyu quantize ${rel(o.source)} ${rel(path)} --type q8_0`,
    config: { type: 'q8_0' },
    parents: [o.source],
  });
  const d = await hashArtefact(path);
  process.stderr.write(`  ${rel(path)}: ${(d.bytes / 1024 / 1024).toFixed(2)} MiB\n`);
  return { path, hash: d.hash, bytes: d.bytes };
}
