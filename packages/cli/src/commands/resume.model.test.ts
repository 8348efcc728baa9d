import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadTokenizer } from '@puyu/formats';
import { defaultTokenizerPath, initInternLM2, makeInternLM2Config, saveHfModel } from '@puyu/model';
import { beforeAll, describe, expect, it } from 'vitest';

// Issue 11's resume check for the fine-tuning methods, through the real `puyu` binary (built by the
// suite's global setup): a run killed with SIGKILL after a checkpoint and resumed with --resume logs
// per-step losses (and every other figure but the timing) bit-identical to an uninterrupted run.
// Tiny model (hidden 32, one layer), generated calculator data, a few steps: each method < 1 minute.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
const STEPS = 12;
const CHECKPOINT_EVERY = 4;

let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'puyu-resume-'));
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
  await saveHfModel(join(dir, 'init'), config, initInternLM2(config, { seed: 2, std: 0.02 }), { tokenizer: tokPath });
});

const shared = (out: string) => ({
  init_from: 'init',
  train: { seq_len: 512, batch_size: 1, steps: STEPS, lr: 1e-3, warmup_steps: 2, seed: 3 },
  eval: { every: 3, batches: 1 },
  checkpoint: { every: CHECKPOINT_EVERY, keep_last: 2 },
  output: { dir: out, gguf: [] },
});

const CONFIGS: Record<string, (out: string) => Record<string, unknown>> = {
  sft: (out) => ({ ...shared(out), data: { generate: { kind: 'calculator', train: 10, heldout: 2, seed: 4 } } }),
  dpo: (out) => ({ ...shared(out), data: { generate: { kind: 'calculator', train: 10, heldout: 2, seed: 4 } }, dpo: { beta: 0.2 } }),
  lora: (out) => ({
    ...shared(out),
    data: { generate: { kind: 'calculator', train: 10, heldout: 2, seed: 4 } },
    lora: { rank: 4, alpha: 8, dropout: 0.1, target_modules: ['wqkv', 'wo', 'w1', 'w2', 'w3'] },
  }),
};

function writeConfig(method: string, name: string): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(CONFIGS[method](name)));
  return path;
}

/** Every figure of each metrics row except the wall-clock one. */
function rows(name: string): Record<string, unknown>[] {
  return readFileSync(join(dir, name, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { tokens_per_s: _, ...rest } = JSON.parse(l);
      return rest;
    });
}

const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });

/** LoRA is another engineer's work in progress: tested once `puyu train lora` exists. */
const hasLora = spawnSync(process.execPath, [BIN, 'train', 'lora', '--help'], { encoding: 'utf8' }).status === 0;
if (!hasLora) console.log('[resume] puyu train lora: skipped, the command does not exist in this build yet');

describe.each(['sft', 'dpo', 'lora'])('puyu train %s: kill -9 after a checkpoint, then --resume (real CLI)', (method) => {
  it.skipIf(method === 'lora' && !hasLora)('logs per-step losses bit-identical to an uninterrupted run', async () => {
    const straight = run(['train', method, writeConfig(method, `${method}-a`)]);
    expect(straight.status, straight.stderr).toBe(0);

    const cfgB = writeConfig(method, `${method}-b`);
    const child = spawn(process.execPath, [BIN, 'train', method, cfgB], { cwd: dir, detached: true, stdio: 'ignore' });
    const metrics = join(dir, `${method}-b`, 'metrics.jsonl');
    const checkpoints = join(dir, `${method}-b`, 'checkpoints');
    const deadline = Date.now() + 90_000;
    // past the first checkpoint, and at least one logged step beyond it (which the resume must drop and replay)
    for (;;) {
      const n = existsSync(metrics) ? readFileSync(metrics, 'utf8').split('\n').filter(Boolean).length : 0;
      const saved = existsSync(checkpoints) && readdirSync(checkpoints).some((d) => d.startsWith('step-'));
      if (saved && n > CHECKPOINT_EVERY) break;
      if (Date.now() > deadline) throw new Error(`the ${method} run never got past its first checkpoint`);
      await sleep(5);
    }
    process.kill(-(child.pid as number), 'SIGKILL'); // the CLI and its training child
    await new Promise((r) => child.once('exit', r));
    const partial = rows(`${method}-b`).length;
    expect(partial).toBeGreaterThan(CHECKPOINT_EVERY);
    expect(partial, 'the run finished before the kill; the test did not interrupt it').toBeLessThan(STEPS);

    const resumed = run(['train', method, cfgB, '--resume']);
    expect(resumed.status, resumed.stderr).toBe(0);
    if (method === 'dpo') expect(resumed.stderr).toMatch(/reference log-probs: read from/);
    const a = rows(`${method}-a`);
    const b = rows(`${method}-b`);
    expect(b).toHaveLength(STEPS);
    expect(b.map((x) => x.loss)).toEqual(a.map((x) => x.loss));
    expect(b).toEqual(a);
  });
});
