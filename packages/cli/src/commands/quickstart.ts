import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '@puyu/core/errors';
import { Progress } from '@puyu/core/progress';
import type { Command } from 'commander';
import { intOption } from '../options.js';

interface QuickstartOptions {
  out: string;
  steps: number;
  threads: number;
  prompt: string;
}

/** The shipped public-domain corpus (see packages/model/assets/corpus/SOURCE.md). */
function shippedCorpus(tokenizer: string): string[] {
  const dir = join(dirname(tokenizer), 'corpus');
  return [join(dir, 'devils-dictionary.txt'), join(dir, 'tang300-song100.txt')];
}

/**
 * The data step's cleaning, in the spirit of the 万卷 pipeline's normalisation: the
 * shipped English text is hard-wrapped and indented, so reflow its paragraphs and
 * collapse runs of spaces (otherwise a tiny model mostly learns to emit spaces);
 * verse (CJK) keeps one line per verse.
 */
export function cleanDocument(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  const cjk = /[\u3400-\u9fff]/.test(text);
  return lines.join(cjk ? '\n' : ' ');
}

function step(n: number, total: number, what: string): void {
  process.stderr.write(`\n[${n}/${total}] ${what}\n`);
}

/**
 * The full chain on one machine in a few minutes, on embedded defaults:
 * data (tokenize the shipped corpus into .ptok shards) → pretrain a tiny InternLM2
 * (ggml, checkpointed) → export HF + GGUF → inspect → generate with llama.cpp → serve
 * over the OpenAI HTTP API.
 * Every step writes real files a user can pick up with the other commands.
 */
export async function runQuickstart(o: QuickstartOptions): Promise<void> {
  const [{ loadTokenizer, TokenShardWriter }, { defaultTokenizerPath, formatModelSummary, inspectModel }, { runPretrain }] =
    await Promise.all([import('@puyu/formats'), import('@puyu/model'), import('@puyu/train')]);
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  const tokPath = defaultTokenizerPath();
  if (!tokPath)
    throw new ConfigError(
      'QUICKSTART_NO_TOKENIZER',
      'the default tokenizer (packages/model/assets/puyu-tiny.model) is missing; reinstall Puyu.',
    );
  const total = 5;

  step(1, total, "data: cleaning and tokenizing the shipped public-domain corpus (Devil's Dictionary, Tang/Song poems) into a .ptok shard");
  const tokenizer = loadTokenizer(tokPath);
  const { readFile } = await import('node:fs/promises');
  const shardPath = join(out, 'corpus.ptok');
  const writer = await TokenShardWriter.create(shardPath, { vocabSize: tokenizer.vocabSize, eosId: tokenizer.eosId });
  let docs = 0;
  let tokens = 0;
  for (const file of shippedCorpus(tokPath)) {
    const blocks = (await readFile(file, 'utf8')).split(/\r?\n\s*\r?\n/).filter((b) => b.trim());
    const bar = new Progress({ total: blocks.length, label: file.split('/').pop(), unit: 'doc' });
    for (const b of blocks) {
      const ids = tokenizer.encode(cleanDocument(b), { addBos: true, addEos: true });
      await writer.addDocument(ids);
      docs++;
      tokens += ids.length;
      bar.tick();
    }
    bar.finish();
  }
  await writer.close();
  process.stderr.write(`  ${docs} documents, ${tokens} tokens → ${shardPath}\n`);

  step(2, total, `pretrain: a tiny InternLM2 (hidden 128, 4 layers, GQA 4/2) for ${o.steps} steps on ${o.threads} thread(s)`);
  const config = {
    tokenizer: tokPath,
    model: {
      hidden_size: 128,
      num_hidden_layers: 4,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      intermediate_size: 384,
      max_position_embeddings: 512,
    },
    data: { train: [shardPath], val_fraction: 0.05 },
    train: {
      seq_len: 128,
      batch_size: 8,
      steps: o.steps,
      lr: 3e-3,
      min_lr: 3e-4,
      // Fixed, not derived from --steps: a rerun with more steps resumes (a changed warmup is an optimiser change).
      warmup_steps: Math.min(30, o.steps),
      seed: 1234,
      threads: o.threads,
    },
    eval: { every: Math.max(1, Math.floor(o.steps / 10)), batches: 4 },
    checkpoint: { every: Math.max(1, Math.floor(o.steps / 4)), keep_last: 2 },
    output: { dir: join(out, 'pretrain'), gguf: ['f32', 'q8_0'] },
  };
  const configPath = join(out, 'pretrain.json');
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const { Checkpoints } = await import('@puyu/train');
  const resume = (await new Checkpoints(join(out, 'pretrain', 'checkpoints')).latest()) !== undefined;
  if (resume) process.stderr.write('  found checkpoints from an earlier run: resuming\n');
  const r = await runPretrain(configPath, { resume });
  process.stderr.write(
    `  train loss ${r.finalLoss.toFixed(3)}, held-out ${r.valLoss?.toFixed(3) ?? '-'} vs unigram baseline ${r.unigramLoss.toFixed(3)} (nats/token)\n` +
      `  loss curve: ${r.outputs.curve}\n`,
  );

  step(3, total, 'export: HF folder + GGUF, inspected');
  const summary = await inspectModel(r.outputs.gguf[r.outputs.gguf.length - 1]);
  process.stderr.write(`${formatModelSummary(summary, { maxTensors: 6 })}\n`);

  step(4, total, `generate: llama.cpp (node-llama-cpp) on ${r.outputs.gguf[r.outputs.gguf.length - 1]}`);
  const { generateSample } = await import('./generateSample.js');
  const text = await generateSample(r.outputs.gguf[r.outputs.gguf.length - 1], o.prompt, { maxTokens: 48, threads: o.threads });
  process.stdout.write(`\n${o.prompt}${text}\n\n`);
  step(5, total, 'serve: the OpenAI-compatible server (puyu serve) on the GGUF, one chat request over HTTP');
  const gguf = r.outputs.gguf[r.outputs.gguf.length - 1];
  const { startServer } = await import('@puyu/serve');
  const server = await startServer({
    model: gguf,
    modelName: 'puyu-quickstart',
    port: 0,
    sequences: 2,
    contextSize: 512,
    threads: o.threads,
  });
  try {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'puyu-quickstart',
        messages: [{ role: 'user', content: 'What is war?' }],
        max_tokens: 32,
        temperature: 0,
      }),
    });
    const body = (await res.json()) as { choices?: { message: { content: string } }[]; usage?: { completion_tokens: number } };
    process.stderr.write(`  POST ${server.url}/v1/chat/completions → ${res.status}\n`);
    process.stdout.write(`assistant: ${body.choices?.[0]?.message.content ?? JSON.stringify(body)}\n\n`);
  } finally {
    await server.close();
  }
  process.stderr.write(
    [
      'Done. Next:',
      `  npx puyu serve ${gguf}           # OpenAI-compatible API on http://127.0.0.1:8000/v1`,
      `  npx puyu model inspect ${r.outputs.hf}`,
      `  npx puyu train pretrain ${configPath} --resume    # continue training (raise train.steps first)`,
      '',
    ].join('\n'),
  );
}

export function registerQuickstartCommand(program: Command): void {
  program
    .command('quickstart')
    .description('Run the chain end to end on embedded defaults: data → pretrain → export → generate → serve')
    .option('--out <dir>', 'output folder', 'runs/quickstart')
    .option('--steps <n>', 'pretraining steps', intOption('--steps'), 300)
    .option('--threads <n>', 'CPU threads', intOption('--threads'), 1)
    .option('--prompt <text>', 'prompt for the sample generation', 'WAR, n. ')
    .action(async (o: QuickstartOptions) => runQuickstart(o));
}
