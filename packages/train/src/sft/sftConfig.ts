import { dirname, resolve } from 'node:path';
import { parseConfig, readJsonConfig, resolveConfigPaths } from '@puyu/core';
import { z } from 'zod';
import { pretrainConfigSchema } from '../pretrain/pretrainConfig.js';

// The optimiser, schedule, eval, checkpoint and output blocks are pretraining's own schemas:
// both methods run the same loop (loop/trainLoop.ts), so they take the same settings.
const shared = pretrainConfigSchema.shape;

/** A full-parameter SFT run, XTuner-style: an HF InternLM2 model, chat JSONL data, the shared loop. */
/**
 * The cross-field rules every fine-tuning config shares (SFT, LoRA, DPO): the schedule fits, and the
 * data is either named (`what`: "training files", "preference files") or generated, never both.
 */
export function checkFineTuneConfig(what: string) {
  return (
    c: {
      train: { lr: number; min_lr: number; steps: number; warmup_steps: number };
      data: { generate?: unknown; train?: unknown; val?: unknown };
    },
    ctx: z.RefinementCtx,
  ): void => {
    if (c.train.min_lr > c.train.lr) ctx.addIssue({ code: 'custom', path: ['train', 'min_lr'], message: 'must not exceed lr' });
    if (c.train.warmup_steps > c.train.steps)
      ctx.addIssue({ code: 'custom', path: ['train', 'warmup_steps'], message: 'must not exceed steps' });
    if (!c.data.generate && !c.data.train)
      ctx.addIssue({ code: 'custom', path: ['data', 'train'], message: `name the ${what}, or set data.generate` });
    if (c.data.generate && (c.data.train || c.data.val))
      ctx.addIssue({
        code: 'custom',
        path: ['data', 'generate'],
        message: 'data.generate writes output.dir/train.jsonl and heldout.jsonl itself: leave data.train and data.val out',
      });
  };
}

export const sftConfigSchema = z
  .object({
    /** The HF InternLM2 folder to fine-tune (e.g. the quickstart's runs/quickstart/pretrain/hf). */
    init_from: z.string().min(1),
    /** A SentencePiece `.model` or an HF folder; default: the init_from folder's tokenizer. */
    tokenizer: z.string().min(1).optional(),
    data: z
      .object({
        /** XTuner conversation, OpenAI messages or Alpaca JSONL (one dialogue a line); omitted with `generate`. */
        train: z.array(z.string().min(1)).min(1).optional(),
        /** Held-out files; without them `val_fraction` of the training dialogues is held out. */
        val: z.array(z.string().min(1)).optional(),
        val_fraction: z.number().min(0).max(0.5).default(0),
        format: z.enum(['auto', 'xtuner', 'openai', 'alpaca']).default('auto'),
        /** Dialogues longer than seq_len + 1 tokens: cut them (XTuner's default) or skip and report them. */
        overflow: z.enum(['truncate', 'skip']).default('truncate'),
        /**
         * Generated data instead of train / val: writes output.dir/train.jsonl and heldout.jsonl
         * (writeCalculatorData) when they are absent, and trains / evaluates on them.
         */
        generate: z
          .object({
            kind: z.literal('calculator'),
            train: z.number().int().positive(),
            heldout: z.number().int().min(0).default(200),
            seed: z.number().int().min(0).default(0),
            /**
             * Share of training dialogues with a follow-up turn (default 0.25, the held-out set's
             * share, which this never changes): follow-ups are the hardest turns for a small model.
             */
            train_multi_turn_share: z.number().min(0).max(1).optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    train: shared.train,
    eval: shared.eval,
    checkpoint: shared.checkpoint,
    output: shared.output,
    memory_limit_gb: shared.memory_limit_gb,
  })
  .strict()
  .superRefine(checkFineTuneConfig('training files'));

export type SftConfig = z.output<typeof sftConfigSchema>;

/** The file paths an SFT config names; like every Puyu config, they are relative to the config file. */
export const SFT_CONFIG_PATHS = ['tokenizer', 'init_from', 'data.train[]', 'data.val[]', 'output.dir'] as const;

/** Validates a config object; relative paths are resolved against `baseDir` (the config file's folder). */
export function parseSftConfig(raw: unknown, source = 'config', baseDir = process.cwd()): SftConfig {
  return parseConfig(sftConfigSchema, resolveConfigPaths(raw, baseDir, SFT_CONFIG_PATHS), source);
}

/** Reads a JSON config file (paths inside are relative to the file). */
export async function loadSftConfig(path: string): Promise<SftConfig> {
  return parseSftConfig(await readJsonConfig(path), path, dirname(resolve(path)));
}
