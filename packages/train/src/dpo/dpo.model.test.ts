import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer } from '@puyu/formats';
import { defaultTokenizerPath, initInternLM2, makeInternLM2Config, saveHfModel } from '@puyu/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { dpo } from './dpo.js';
import { parseDpoConfig } from './dpoConfig.js';

// DPO on a tiny InternLM2 made by our own code with the shipped tokenizer, on generated calculator pairs.
const TOKENIZER = defaultTokenizerPath() as string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-dpo-'));
  const tok = loadTokenizer(TOKENIZER);
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
  await saveHfModel(join(dir, 'init'), config, initInternLM2(config, { seed: 5, std: 0.02 }), { tokenizer: TOKENIZER });
});

const config = (out: string, extra: Record<string, unknown> = {}) =>
  parseDpoConfig({
    init_from: join(dir, 'init'),
    data: { generate: { kind: 'calculator', train: 6, heldout: 6, seed: 2 } },
    dpo: { beta: 0.5 },
    train: { seq_len: 512, batch_size: 2, steps: 8, lr: 1e-2, min_lr: 1e-3, warmup_steps: 0, seed: 1, threads: 1 },
    eval: { every: 4, batches: 3 },
    checkpoint: { every: 8, keep_last: 1 },
    output: { dir: out, gguf: [] },
    ...extra,
  });

const rows = async (out: string) =>
  (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);

describe('dpo', () => {
  it('starts at loss log 2 and accuracy 0.5 (policy = reference), fits its pairs, and scores every held-out pair by kind', async () => {
    const out = join(dir, 'fit');
    const r = await dpo(config(out), { quiet: true });
    const m = await rows(out);
    expect(m[0].loss).toBeCloseTo(Math.LN2, 6);
    expect(m[0].reward_accuracy).toBe(0.5);
    expect(m[0].reward_margin).toBe(0);
    // 8 steps of 2 pairs: 16 passes over 6 training pairs; the training pairs are then preferred
    expect(m.at(-1)?.loss).toBeLessThan(0.3);
    expect(m.at(-1)?.reward_accuracy).toBe(1);
    expect(m[3].val_reward_accuracy).toBeTypeOf('number');
    expect(r.heldOut?.pairs).toBe(6);
    const kinds = Object.values(r.heldOut?.byKind ?? {});
    expect(kinds.reduce((a, k) => a + k.pairs, 0)).toBe(6);
    const lines = (await readFile(join(out, 'heldout-rewards.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[0])).toMatchObject({ line: 1, kind: expect.any(String), margin: expect.any(Number) });
  });

  it('computes the reference log-probs once: a run on the same model and data reads the cache, other data recomputes it', async () => {
    const a = join(dir, 'cache');
    await dpo(config(a, { train: { seq_len: 512, batch_size: 2, steps: 1, lr: 1e-3, threads: 1 } }), { quiet: true });
    const cache = JSON.parse(await readFile(join(a, 'reference-logps.json'), 'utf8'));
    expect(cache.train).toHaveLength(12);
    expect(cache.val).toHaveLength(12);
    // a planted cache under the same key is what the next run on this folder uses
    const planted = { ...cache, train: cache.train.map((x: number) => x - 1), val: cache.val.map((x: number) => x - 1) };
    await writeFile(join(a, 'reference-logps.json'), JSON.stringify(planted));
    const resumed = await dpo(config(a, { train: { seq_len: 512, batch_size: 2, steps: 2, lr: 1e-3, threads: 1 } }), {
      quiet: true,
      resume: true,
    });
    expect(JSON.parse(await readFile(join(a, 'reference-logps.json'), 'utf8')).train).toEqual(planted.train);
    expect(resumed.steps).toBe(2);
    // other data: another key, so recomputed
    const b = join(dir, 'cache-b');
    await dpo(
      config(b, {
        data: { generate: { kind: 'calculator', train: 7, heldout: 6, seed: 2 } },
        train: { seq_len: 512, batch_size: 2, steps: 1, lr: 1e-3, threads: 1 },
      }),
      {
        quiet: true,
      },
    );
    const other = JSON.parse(await readFile(join(b, 'reference-logps.json'), 'utf8'));
    expect(other.key).not.toBe(cache.key);
    expect(other.train).toHaveLength(14);
  });

  it('refuses a missing init_from with a coded error that says what to do', async () => {
    await expect(dpo(config(join(dir, 'none'), { init_from: join(dir, 'missing') }), { quiet: true })).rejects.toMatchObject({
      code: 'TRAIN_DPO_NO_INIT',
    });
  });
});
