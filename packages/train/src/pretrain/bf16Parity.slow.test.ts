/**
 * Loss parity of bf16 mixed precision against fp32 on the pretraining recipe's model and data
 * (recipes/pretrain-5m.json), shortened to fit the slow suite: the same model shape, corpus,
 * held-out split, optimiser and seed, fewer and smaller steps. The 300-step figure of the full
 * recipe is measured once and written in packages/train/README.md ("Mixed precision").
 * Skipped, with the reason printed, where the CPU lacks AVX512-BF16 (ggml then emulates bf16
 * products, which is correct but slow).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuHasBf16, type TrainPrecision } from '../graph/precision.js';
import { pretrain } from './pretrain.js';
import { loadPretrainConfig } from './pretrainConfig.js';

const RECIPE = resolve(import.meta.dirname, '../../../../recipes/pretrain-5m.json');
const skipReason = cpuHasBf16() ? undefined : 'this CPU has no AVX512-BF16 (/proc/cpuinfo avx512_bf16)';
if (skipReason) console.log(`[bf16 parity] skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('bf16 mixed precision: loss parity with fp32 on recipes/pretrain-5m.json', () => {
  it('ends within 1% of fp32 in held-out loss (60 steps of 4×128 tokens)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-bf16-parity-'));
    try {
      const run = async (precision: TrainPrecision) => {
        const cfg = await loadPretrainConfig(RECIPE);
        cfg.train = { ...cfg.train, steps: 60, batch_size: 4, seq_len: 128, warmup_steps: 6, threads: 1, precision };
        cfg.eval = { every: 30, batches: 4 };
        cfg.checkpoint = { every: 60, keep_last: 1 };
        cfg.output = { dir: join(dir, precision), gguf: [] };
        const r = await pretrain(cfg, { quiet: true });
        const metrics = (await readFile(r.outputs.metrics, 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { step: number; loss: number; val_loss?: number });
        return { val: r.valLoss as number, first: metrics[0].loss, last: metrics.at(-1)?.loss as number };
      };
      const fp32 = await run('fp32');
      const bf16 = await run('bf16');
      const gap = Math.abs(bf16.val - fp32.val) / fp32.val;
      console.log(
        `held-out loss after 60 steps: fp32 ${fp32.val.toFixed(4)}, bf16 ${bf16.val.toFixed(4)} (${(100 * gap).toFixed(2)}%); train loss ${fp32.first.toFixed(3)} → ${fp32.last.toFixed(3)} (fp32), → ${bf16.last.toFixed(3)} (bf16)`,
      );
      // the runs learned (so the comparison is of trained models, not of the initial loss)
      expect(fp32.val).toBeLessThan(fp32.first - 1);
      expect(bf16.val).not.toBe(fp32.val);
      expect(gap).toBeLessThan(0.01);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
