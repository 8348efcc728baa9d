import { dirname, resolve } from 'node:path';
import { parseConfig, readJsonConfig, resolveConfigPaths } from '@puyu/core';
import { z } from 'zod';
import { pretrainConfigSchema } from '../pretrain/pretrainConfig.js';
import { checkFineTuneConfig } from '../sft/sftConfig.js';

// The optimiser, schedule, eval, checkpoint and output blocks are the shared loop's (loop/trainLoop.ts).
const shared = pretrainConfigSchema.shape;

/**
 * A DPO run: an HF InternLM2 policy (also the frozen reference), `{prompt, chosen, rejected}`
 * JSONL, the shared loop. `train.batch_size` counts preference pairs per micro-batch (two rows each).
 */
export const dpoConfigSchema = z
  .object({
    /** The HF InternLM2 folder to start from; it is also the frozen reference model. */
    init_from: z.string().min(1),
    /** A SentencePiece `.model` or an HF folder; default: the init_from folder's tokenizer. */
    tokenizer: z.string().min(1).optional(),
    data: z
      .object({
        /** Preference JSONL (one pair a line); omitted with `generate`. */
        train: z.array(z.string().min(1)).min(1).optional(),
        /** Held-out preference files; without them `val_fraction` of the training pairs is held out. */
        val: z.array(z.string().min(1)).optional(),
        val_fraction: z.number().min(0).max(0.5).default(0),
        /** Generated pairs instead of train / val: output.dir/train.jsonl and heldout.jsonl (calculatorPairs.ts). */
        generate: z
          .object({
            kind: z.literal('calculator'),
            train: z.number().int().positive(),
            heldout: z.number().int().min(0).default(200),
            seed: z.number().int().min(0).default(0),
          })
          .strict()
          .optional(),
      })
      .strict(),
    dpo: z
      .object({
        /** β of the sigmoid DPO loss: how far the policy may move from the reference. */
        beta: z.number().positive().default(0.1),
        /** RPO (TRL's rpo_alpha): adds α × the chosen replies' mean per-token NLL to the loss; 0 = plain DPO. */
        rpo_alpha: z.number().min(0).default(0),
      })
      .strict()
      .default({ beta: 0.1, rpo_alpha: 0 }),
    train: shared.train,
    eval: shared.eval,
    checkpoint: shared.checkpoint,
    output: shared.output,
    memory_limit_gb: shared.memory_limit_gb,
  })
  .strict()
  .superRefine(checkFineTuneConfig('preference files'));

export type DpoConfig = z.output<typeof dpoConfigSchema>;

/** The file paths a DPO config names, relative to the config file. */
export const DPO_CONFIG_PATHS = ['tokenizer', 'init_from', 'data.train[]', 'data.val[]', 'output.dir'] as const;

export function parseDpoConfig(raw: unknown, source = 'config', baseDir = process.cwd()): DpoConfig {
  return parseConfig(dpoConfigSchema, resolveConfigPaths(raw, baseDir, DPO_CONFIG_PATHS), source);
}

export async function loadDpoConfig(path: string): Promise<DpoConfig> {
  return parseDpoConfig(await readJsonConfig(path), path, dirname(resolve(path)));
}
