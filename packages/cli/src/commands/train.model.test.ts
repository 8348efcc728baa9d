import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadTokenizer, trainBpe, writeSentencePieceModel } from '@puyu/formats';
import { defaultTokenizerPath, initInternLM2, makeInternLM2Config, saveHfModel } from '@puyu/model';
import { beforeAll, describe, expect, it } from 'vitest';

// Drives the real `puyu` binary (built by the suite's global setup) through a real SIGKILL.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');

const text = Array.from(
  { length: 120 },
  (_, i) => `line ${i % 9}: the ${['red', 'blue', 'green'][i % 3]} fox jumps ${i % 5} times over the lazy dog.`,
).join('\n\n');
let dir = '';

function writeConfig(name: string, steps: number): string {
  const cfg = {
    tokenizer: 'tok.model',
    model: {
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      intermediate_size: 64,
      max_position_embeddings: 64,
    },
    data: { train: ['corpus.txt'], val_fraction: 0.1 },
    train: { seq_len: 32, batch_size: 2, steps, lr: 2e-3, warmup_steps: 2, seed: 9 },
    eval: { every: 5, batches: 1 },
    checkpoint: { every: 5, keep_last: 2 },
    output: { dir: name, gguf: ['q8_0'] },
  };
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(cfg));
  return path;
}

function losses(name: string): number[] {
  return readFileSync(join(dir, name, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).loss);
}

describe('puyu train pretrain (real CLI)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'puyu-train-cli-'));
    writeFileSync(join(dir, 'corpus.txt'), text);
    const { model } = await trainBpe(text.split('\n'), { vocabSize: 320, byteFallback: true });
    await writeSentencePieceModel(join(dir, 'tok.model'), model);
  });

  it('resumes after kill -9 with the same losses as an uninterrupted run', async () => {
    const straight = spawnSync(process.execPath, [BIN, 'train', 'pretrain', writeConfig('a', 40)], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(straight.status, straight.stderr).toBe(0);
    expect(straight.stdout).toMatch(/GGUF\s+.*model-q8_0\.gguf/);
    expect(existsSync(join(dir, 'a', 'hf', 'model.safetensors'))).toBe(true);

    const cfgB = writeConfig('b', 40);
    const child = spawn(process.execPath, [BIN, 'train', 'pretrain', cfgB], { cwd: dir, detached: true, stdio: 'ignore' });
    const metrics = join(dir, 'b', 'metrics.jsonl');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const n = existsSync(metrics) ? readFileSync(metrics, 'utf8').split('\n').filter(Boolean).length : 0;
      if (n >= 12) break;
      if (Date.now() > deadline) throw new Error('the run never got to step 12');
      await sleep(10);
    }
    process.kill(-(child.pid as number), 'SIGKILL'); // the CLI and its training child
    await new Promise((r) => child.once('exit', r));
    const partial = losses('b').length;
    expect(partial).toBeGreaterThanOrEqual(12);
    expect(partial).toBeLessThan(40);

    const again = spawnSync(process.execPath, [BIN, 'train', 'pretrain', cfgB], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/TRAIN_OUTPUT_EXISTS.*--resume/);

    const resumed = spawnSync(process.execPath, [BIN, 'train', 'pretrain', cfgB, '--resume'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(resumed.status, resumed.stderr).toBe(0);
    const a = losses('a');
    const b = losses('b');
    expect(b).toHaveLength(40);
    expect(b.map((x) => x.toFixed(6))).toEqual(a.map((x) => x.toFixed(6)));
    expect(b).toEqual(a); // bit-identical, in fact
  });

  it('reports every bad config field, and a clean error when the config is missing', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ tokenizer: 'tok.model', model: { hidden_size: -1 }, data: { train: [] }, train: { steps: 0 }, output: {} }),
    );
    const r = spawnSync(process.execPath, [BIN, 'train', 'pretrain', bad], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    for (const f of ['model.hidden_size', 'model.num_hidden_layers', 'data.train', 'train.steps', 'train.lr', 'output.dir'])
      expect(r.stderr).toContain(f);
    const m = spawnSync(process.execPath, [BIN, 'train', 'pretrain', join(dir, 'nope.json')], { cwd: dir, encoding: 'utf8' });
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/CONFIG_NOT_FOUND/);
  });
});

describe('puyu train sft (real CLI)', () => {
  it('fine-tunes an HF folder on generated calculator data and prints the GGUF path as the last stdout line', async () => {
    const sftDir = mkdtempSync(join(tmpdir(), 'puyu-sft-cli-'));
    const tokPath = defaultTokenizerPath() as string;
    const tok = loadTokenizer(tokPath);
    const config = makeInternLM2Config({
      hidden_size: 32,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      intermediate_size: 64,
      max_position_embeddings: 512,
      vocab_size: tok.vocabSize,
      bos_token_id: tok.bosId,
      eos_token_id: tok.eosId,
      pad_token_id: tok.eosId,
    });
    await saveHfModel(join(sftDir, 'hf'), config, initInternLM2(config, { seed: 1, std: 0.02 }), { tokenizer: tokPath });
    const cfg = (init: string) => ({
      init_from: init,
      data: { generate: { kind: 'calculator', train: 6, heldout: 2, seed: 0 } },
      train: { seq_len: 512, batch_size: 1, steps: 3, lr: 1e-3, warmup_steps: 1, seed: 1 },
      eval: { every: 3, batches: 1 },
      output: { dir: 'out', gguf: ['f16', 'q8_0'] },
    });
    writeFileSync(join(sftDir, 'sft.json'), JSON.stringify(cfg('hf')));
    const r = spawnSync(process.execPath, [BIN, 'train', 'sft', 'sft.json'], { cwd: sftDir, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    const last = r.stdout.trimEnd().split('\n').at(-1) as string;
    expect(last).toBe(join(sftDir, 'out', 'model-q8_0.gguf'));
    expect(existsSync(last)).toBe(true);
    expect(r.stdout).toMatch(/6 train, 2 held-out, 0 line\(s\) skipped/);

    writeFileSync(join(sftDir, 'none.json'), JSON.stringify(cfg('missing-hf')));
    const none = spawnSync(process.execPath, [BIN, 'train', 'sft', 'none.json'], { cwd: sftDir, encoding: 'utf8', timeout: 60_000 });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/TRAIN_SFT_NO_INIT.*point init_from at an HF InternLM2 folder/);
  });
});
