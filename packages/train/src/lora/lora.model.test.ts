import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgufFile, gv, loadTokenizer, SafetensorsFile } from '@puyu/formats';
import { defaultTokenizerPath, initInternLM2, loadHfModel, makeInternLM2Config, saveHfModel } from '@puyu/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { Checkpoints } from '../checkpoint/Checkpoints.js';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import type { StepMetrics } from '../pretrain/metrics.js';
import { generateCalculatorData } from '../sft/calculator/generate.js';
import { parseSftJsonl } from '../sft/data/readSftJsonl.js';
import { SftBatcher } from '../sft/data/SftBatcher.js';
import { tokenizeSftDialogues } from '../sft/data/tokenizeSftDialogue.js';
import { lora } from './lora.js';
import { parseLoraConfig } from './loraConfig.js';
import { readLoraAdapter } from './loraExport.js';
import { mergeLora } from './loraWeights.js';

// LoRA on the tiny model of sft.model.test.ts (but init std 0.2: with 0.02 the frozen output layer
// keeps every distribution near uniform, whatever the adapter does), the shipped tokenizer and
// generated calculator dialogues.
const TOKENIZER = defaultTokenizerPath() as string;
const T = 512;
let dir: string;
let initDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-lora-'));
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
  await saveHfModel(initDir, config, initInternLM2(config, { seed: 3, std: 0.2 }), { tokenizer: TOKENIZER });
});

function config(out: string, steps: number, extra: Record<string, unknown> = {}) {
  return parseLoraConfig({
    init_from: initDir,
    data: { generate: { kind: 'calculator', train: 24, heldout: 4, seed: 1 } },
    train: { seq_len: T, batch_size: 2, steps, lr: 1e-2, min_lr: 1e-3, warmup_steps: 2, seed: 5, threads: 1 },
    eval: { every: 4, batches: 2 },
    checkpoint: { every: 4, keep_last: 2 },
    output: { dir: out, gguf: ['f32'] },
    lora: { rank: 4, alpha: 16, dropout: 0.1 },
    ...extra,
  });
}

async function metrics(out: string): Promise<StepMetrics[]> {
  return (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

function fixedBatch() {
  const data = generateCalculatorData({ train: 0, heldout: 4, seed: 1 });
  const { dialogues } = parseSftJsonl(data.heldout.map((d) => JSON.stringify(d)).join('\n'));
  const { examples } = tokenizeSftDialogues(dialogues, loadTokenizer(TOKENIZER), { maxTokens: T + 1 });
  return new SftBatcher(examples, { batchSize: 2, seqLen: T, seed: 0, shuffle: false, padId: 2 }).next();
}

describe('lora', () => {
  it('learns with the base frozen; checkpoints hold the adapter only; exports a PEFT folder and a GGUF LoRA', async () => {
    const out = join(dir, 'learn');
    const r = await lora(config(out, 24, { checkpoint: { every: 24, keep_last: 1 } }), { quiet: true });
    const { config: c, weights: base } = await loadHfModel(initDir);
    const { settings, weights: adapter } = await readLoraAdapter(r.outputs.adapter, c);
    expect(settings).toEqual({ rank: 4, alpha: 16, dropout: 0.1, target_modules: ['wqkv', 'wo', 'w1', 'w2', 'w3'] });
    const batch = fixedBatch();
    const lossOf = (w: typeof base) => {
      using m = new GgmlInternLM2(c, w, { threads: 1 });
      return m.loss(batch.rows, batch.targets, batch.weights, batch.docIds);
    };
    const before = lossOf(base);
    const after = lossOf(mergeLora(c, base, adapter, settings));
    console.log(`lora: fixed-batch loss ${before.toFixed(3)} → ${after.toFixed(3)} (merged); ${r.adapterParams} adapter values`);
    expect(after).toBeLessThan(before - 1);
    // the base on disk is untouched, and the checkpoint holds A/B and their moments only
    const ck = await new Checkpoints(join(out, 'checkpoints')).load((await new Checkpoints(join(out, 'checkpoints')).latest())!.path);
    expect([...ck.params.keys()].sort()).toEqual([...adapter.keys()].sort());
    expect([...ck.m.keys()].sort()).toEqual([...adapter.keys()].sort());
    expect(r.adapterParams).toBe([...adapter.values()].reduce((a, t) => a + t.data.length, 0));
    await using st = await SafetensorsFile.open(join(r.outputs.adapter, 'adapter_model.safetensors'));
    expect(st.tensors.map((t) => t.name)).toContain('base_model.model.model.layers.0.attention.wqkv.lora_A.weight');
    await using g = await GgufFile.open(r.outputs.gguf[0]);
    expect(g.metadata.get('general.type')).toEqual(gv.str('adapter'));
    expect(g.metadata.get('adapter.type')).toEqual(gv.str('lora'));
    expect(g.metadata.get('puyu.chat.use_default_system_prompt')).toEqual(gv.bool(false));
    const names = g.tensors.map((t) => t.name);
    expect(names).toContain('blk.1.attn_k.weight.lora_b');
    expect(names).toContain('blk.0.ffn_down.weight.lora_a');
  });

  it('resumes exactly (dropout included): an interrupted run ends with the same losses as an uninterrupted one', async () => {
    await lora(config(join(dir, 'straight'), 8), { quiet: true });
    const b = join(dir, 'interrupted');
    await expect(lora(config(b, 8), { quiet: true, stopAfter: 5 })).rejects.toMatchObject({ code: 'TRAIN_STOPPED' });
    await expect(lora(config(b, 8, { lora: { rank: 8, alpha: 8, dropout: 0.1 } }), { quiet: true, resume: true })).rejects.toMatchObject({
      code: 'TRAIN_RESUME_CHANGED',
    });
    await lora(config(b, 8), { quiet: true, resume: true });
    const ma = await metrics(join(dir, 'straight'));
    const mb = await metrics(b);
    expect(mb.map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(mb.map((x) => x.loss)).toEqual(ma.map((x) => x.loss));
    expect(mb.map((x) => x.val_loss)).toEqual(ma.map((x) => x.val_loss));
    const one = await readFile(join(dir, 'straight', 'adapter', 'adapter_model.safetensors'));
    expect(await readFile(join(b, 'adapter', 'adapter_model.safetensors'))).toEqual(one);
  });

  it('QLoRA (lora.base_type q8_0) learns too', async () => {
    const out = join(dir, 'qlora');
    const r = await lora(
      config(out, 12, { lora: { rank: 4, alpha: 16, dropout: 0.1, base_type: 'q8_0' }, checkpoint: { every: 12, keep_last: 1 } }),
      {
        quiet: true,
      },
    );
    const { config: c, weights: base } = await loadHfModel(initDir);
    const { settings, weights: adapter } = await readLoraAdapter(r.outputs.adapter, c);
    const batch = fixedBatch();
    const lossOf = (w: typeof base) => {
      using m = new GgmlInternLM2(c, w, { threads: 1 });
      return m.loss(batch.rows, batch.targets, batch.weights, batch.docIds);
    };
    const before = lossOf(base);
    const after = lossOf(mergeLora(c, base, adapter, settings));
    const m = await metrics(out);
    console.log(
      `qlora q8_0: fixed-batch loss ${before.toFixed(3)} → ${after.toFixed(3)} (merged into the f32 base); train ${m[0].loss.toFixed(3)} → ${m.at(-1)!.loss.toFixed(3)}`,
    );
    expect(m.every((x) => Number.isFinite(x.loss))).toBe(true);
    expect(after).toBeLessThan(before - 0.5);
  });
});
