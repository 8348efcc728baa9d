import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgufFile, loadTokenizer } from '@puyu/formats';
import { defaultTokenizerPath, initInternLM2, loadHfModel, makeInternLM2Config, saveHfModel } from '@puyu/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import type { StepMetrics } from '../pretrain/metrics.js';
import { generateCalculatorData } from './calculator/generate.js';
import { parseSftJsonl } from './data/readSftJsonl.js';
import { SftBatcher } from './data/SftBatcher.js';
import { tokenizeSftDialogues } from './data/tokenizeSftDialogue.js';
import { sft } from './sft.js';
import { parseSftConfig } from './sftConfig.js';

// SFT on a tiny InternLM2 built by our own code (init + HF export) with the shipped tokenizer
// (which has the InternLM2 chat markers), on generated calculator tool-use dialogues.
const TOKENIZER = defaultTokenizerPath() as string;
const T = 512;
let dir: string;
let initDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-sft-'));
  initDir = join(dir, 'init');
  const tok = loadTokenizer(TOKENIZER);
  const config = makeInternLM2Config({
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    intermediate_size: 64,
    max_position_embeddings: T,
    vocab_size: tok.vocabSize,
    bos_token_id: tok.bosId,
    eos_token_id: tok.eosId,
    pad_token_id: tok.eosId,
  });
  await saveHfModel(initDir, config, initInternLM2(config, { seed: 3, std: 0.02 }), { tokenizer: TOKENIZER });
});

function config(out: string, steps: number, extra: Record<string, unknown> = {}) {
  return parseSftConfig({
    init_from: initDir,
    data: { generate: { kind: 'calculator', train: 24, heldout: 4, seed: 1 } },
    train: { seq_len: T, batch_size: 2, steps, lr: 3e-3, min_lr: 3e-4, warmup_steps: 2, seed: 5, threads: 1 },
    eval: { every: 4, batches: 2 },
    checkpoint: { every: 4, keep_last: 2 },
    output: { dir: out, gguf: ['f16'] },
    ...extra,
  });
}

async function metrics(out: string): Promise<StepMetrics[]> {
  return (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

/** A fixed batch of held-out calculator dialogues, tokenized and masked as SFT trains on them. */
function fixedBatch() {
  const data = generateCalculatorData({ train: 0, heldout: 4, seed: 1 });
  const { dialogues } = parseSftJsonl(data.heldout.map((d) => JSON.stringify(d)).join('\n'));
  const { examples } = tokenizeSftDialogues(dialogues, loadTokenizer(TOKENIZER), { maxTokens: T + 1 });
  return new SftBatcher(examples, { batchSize: 2, seqLen: T, seed: 0, shuffle: false, padId: 2 }).next();
}

describe('sft', () => {
  it('learns: loss on a fixed batch of assistant tokens goes down; exports HF (with chat template) + GGUF', async () => {
    const out = join(dir, 'learn');
    const r = await sft(config(out, 24, { checkpoint: { every: 24, keep_last: 1 } }), { quiet: true });
    const batch = fixedBatch();
    const lossOf = async (hf: string) => {
      const { config: c, weights } = await loadHfModel(hf);
      using m = new GgmlInternLM2(c, weights, { threads: 1 });
      return m.loss(batch.rows, batch.targets, batch.weights, batch.docIds);
    };
    const before = await lossOf(initDir);
    const after = await lossOf(r.outputs.hf);
    const m = await metrics(out);
    console.log(
      `sft: fixed-batch loss ${before.toFixed(3)} → ${after.toFixed(3)}; train ${m[0].loss.toFixed(3)} → ${m.at(-1)!.loss.toFixed(3)}`,
    );
    expect(after).toBeLessThan(before - 1);
    expect(r.examples).toEqual({ train: 24, val: 4, truncated: 0 });
    expect(r.skipped).toBe(0);
    expect(await readFile(r.outputs.skipped, 'utf8')).toBe('');
    const tokCfg = JSON.parse(await readFile(join(r.outputs.hf, 'tokenizer_config.json'), 'utf8'));
    expect(tokCfg.chat_template).toContain('<|im_start|>');
    await using g = await GgufFile.open(r.outputs.gguf[0]);
    expect(g.architecture).toBe('internlm2');
  });

  it('gives tokens outside assistant turns zero gradient: changing their targets changes neither loss nor grads', async () => {
    const batch = fixedBatch();
    const { config: c, weights } = await loadHfModel(initDir);
    using m = new GgmlInternLM2(c, weights, { threads: 1, trainable: true });
    const a = m.lossAndGrads(batch.rows, batch.targets, batch.weights, batch.docIds);
    const grads = new Map([...a.grads].map(([n, g]) => [n, Float32Array.from(g.data)]));
    const zero = [...batch.weights.keys()].filter((i) => batch.weights[i] === 0);
    const weighted = [...batch.weights.keys()].filter((i) => batch.weights[i] > 0);
    // most of a dialogue (tools prompt, user turns, tool results) is context, weighted 0
    expect(zero.length).toBeGreaterThan(weighted.length);
    const moved = Int32Array.from(batch.targets);
    for (const i of zero) moved[i] = (moved[i] + 7) % c.vocab_size;
    const b = m.lossAndGrads(batch.rows, moved, batch.weights, batch.docIds);
    expect(b.loss).toBe(a.loss);
    for (const [n, g] of b.grads) expect(g.data, n).toEqual(grads.get(n));
    // while a weighted (assistant) target does count
    moved[weighted[0]] = (moved[weighted[0]] + 7) % c.vocab_size;
    expect(m.loss(batch.rows, moved, batch.weights, batch.docIds)).not.toBe(a.loss);
  });

  it('resumes exactly: an interrupted run ends with the same losses as an uninterrupted one', async () => {
    await sft(config(join(dir, 'straight'), 8), { quiet: true });
    const b = join(dir, 'interrupted');
    await expect(sft(config(b, 8), { quiet: true, stopAfter: 6 })).rejects.toMatchObject({ code: 'TRAIN_STOPPED' });
    const data = await readFile(join(b, 'train.jsonl'), 'utf8');
    const moreData = { data: { generate: { kind: 'calculator', train: 30, heldout: 4, seed: 1 } } };
    await expect(sft(config(b, 8, moreData), { quiet: true })).rejects.toMatchObject({ code: 'TRAIN_OUTPUT_EXISTS' });
    expect(await readFile(join(b, 'train.jsonl'), 'utf8')).toBe(data); // the refused run wrote nothing
    await expect(sft(config(b, 8, { train: { ...config(b, 8).train, lr: 1e-3 } }), { quiet: true, resume: true })).rejects.toMatchObject({
      code: 'TRAIN_RESUME_CHANGED',
      message: expect.stringContaining('train.lr 0.003 → 0.001'),
    });
    await sft(config(b, 8), { quiet: true, resume: true });
    const ma = await metrics(join(dir, 'straight'));
    const mb = await metrics(b);
    expect(mb.map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(mb.map((x) => x.loss)).toEqual(ma.map((x) => x.loss));
    expect(mb.map((x) => x.val_loss)).toEqual(ma.map((x) => x.val_loss));
  });

  it('reports skipped lines by number and reason in skipped.jsonl, and names a missing init_from', async () => {
    const data = join(dir, 'mixed.jsonl');
    const good = JSON.stringify({ instruction: 'Add 2 and 3.', output: '5' });
    await writeFile(data, [good, '{broken', JSON.stringify({ instruction: 'x', output: '<nooutput>' }), good].join('\n'));
    const out = join(dir, 'mixed');
    const r = await sft(config(out, 2, { data: { train: [data] } }), { quiet: true });
    expect(r.examples.train).toBe(2);
    const lines = (await readFile(join(out, 'skipped.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.line, l.code])).toEqual([
      [2, 'TRAIN_SFT_BAD_JSON'],
      [3, 'TRAIN_SFT_NO_ASSISTANT'],
    ]);
    expect(lines[0]).toMatchObject({ file: data, reason: expect.stringContaining('not valid JSON') });
    await expect(sft(config(join(dir, 'no-init'), 2, { init_from: join(dir, 'nowhere') }), { quiet: true })).rejects.toMatchObject({
      code: 'TRAIN_SFT_NO_INIT',
      message: expect.stringContaining('point init_from at an HF InternLM2 folder'),
    });
  });
});
