import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeInternLM2Config } from '@puyu/model';
import { describe, expect, it } from 'vitest';
import { checkResumable, fingerprintChanges, runFingerprint, withPrecision } from './fingerprint.js';
import { type PretrainConfig, parsePretrainConfig } from './pretrainConfig.js';

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'puyu-fp-'));
  await writeFile(join(dir, 'a.txt'), 'one document\n\nanother document');
  await writeFile(join(dir, 'tok.model'), 'tokenizer bytes');
  const cfg = (over: { model?: object; train?: object; data?: object; eval?: object; checkpoint?: object } = {}) =>
    parsePretrainConfig(
      {
        tokenizer: 'tok.model',
        model: {
          hidden_size: 32,
          num_hidden_layers: 1,
          num_attention_heads: 4,
          num_key_value_heads: 2,
          intermediate_size: 64,
          ...over.model,
        },
        data: { train: ['a.txt'], ...over.data },
        train: { seq_len: 16, batch_size: 2, steps: 10, lr: 1e-3, ...over.train },
        eval: { every: 5, batches: 2, ...over.eval },
        checkpoint: { every: 5, keep_last: 2, ...over.checkpoint },
        output: { dir: 'run' },
      },
      'cfg',
      dir,
    );
  const fp = (c: PretrainConfig) => runFingerprint(c, makeInternLM2Config({ ...(c.model as object), vocab_size: 100 } as never), new Map());
  return { dir, cfg, fp };
}

describe('run fingerprint (what --resume compares)', () => {
  it('ignores what may change on resume: steps, threads, eval and checkpoint intervals, exports, file locations', async () => {
    const { dir, cfg, fp } = await setup();
    const before = await fp(cfg());
    const after = await fp(
      cfg({ train: { steps: 50, threads: 2 }, eval: { every: 7, batches: 3 }, checkpoint: { every: 9, keep_last: 5 } }),
    );
    expect(fingerprintChanges(before, after)).toEqual([]);
    await rename(join(dir, 'a.txt'), join(dir, 'b.txt'));
    expect(fingerprintChanges(before, await fp(cfg({ data: { train: ['b.txt'] } })))).toEqual([]);
  });

  it('names what changed in the model, the optimiser and the data', async () => {
    const { dir, cfg, fp } = await setup();
    const before = await fp(cfg());
    expect(fingerprintChanges(before, await fp(cfg({ model: { hidden_size: 64 } })))).toEqual(['model: model.hidden_size 32 → 64']);
    expect(fingerprintChanges(before, await fp(cfg({ train: { lr: 2e-3, batch_size: 4 } })))).toEqual([
      'optimizer: train.batch_size 2 → 4; train.lr 0.001 → 0.002',
    ]);
    expect(fingerprintChanges(before, await fp(cfg({ train: { seq_len: 32 } })))).toEqual(['data: train.seq_len 16 → 32']);
    await writeFile(join(dir, 'a.txt'), 'one document\n\nanother document, edited');
    const [data] = fingerprintChanges(before, await fp(cfg()));
    expect(data).toMatch(/^data: train file .*a\.txt has other content \(30 → 38 bytes/);
  });

  it('refuses a changed run with TRAIN_RESUME_CHANGED; accepts (with a warning) a checkpoint that has none', async () => {
    const { cfg, fp } = await setup();
    const before = await fp(cfg());
    const after = await fp(cfg({ train: { lr: 5e-4 } }));
    expect(() => checkResumable(JSON.parse(JSON.stringify(before)), after, 'ck', () => {})).toThrow(
      expect.objectContaining({ code: 'TRAIN_RESUME_CHANGED', message: expect.stringContaining('train.lr 0.001 → 0.0005') }),
    );
    expect(() => checkResumable(JSON.parse(JSON.stringify(before)), before, 'ck', () => {})).not.toThrow();
    const warnings: string[] = [];
    checkResumable(undefined, before, 'ck', (m) => warnings.push(m));
    expect(warnings[0]).toMatch(/records no fingerprint/);
  });

  it('records bf16 in the optimizer part (a resume keeps the precision); fp32 leaves the fingerprint as it was', async () => {
    const { cfg, fp } = await setup();
    const before = await fp(cfg());
    expect(withPrecision(before, 'fp32')).toEqual(before);
    const bf16 = withPrecision(before, 'bf16');
    expect(bf16.optimizer.config['train.precision']).toBe('bf16');
    expect(fingerprintChanges(bf16, before)).toEqual(['optimizer: train.precision "bf16" → (unset)']);
    expect(fingerprintChanges(bf16, withPrecision(await fp(cfg()), 'bf16'))).toEqual([]);
  });
});
