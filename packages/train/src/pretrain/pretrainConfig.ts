import { dirname, resolve } from 'node:path';
import { parseConfig, readJsonConfig, resolveConfigPaths } from '@puyu/core';
import type { SentencePieceTokenizer } from '@puyu/formats';
import { type InternLM2Config, internLM2ConfigProblems, internLM2ConfigSchema, makeInternLM2Config } from '@puyu/model';
import { z } from 'zod';
import { TRAIN_PRECISIONS } from '../graph/precision.js';
import { TOOL_CORPUS_KINDS, type ToolCorpusKind } from '../sft/calculator/toolCorpus.js';

// The shape fields validate exactly as in an HF config.json (@puyu/model); the defaults
// that differ are the pretraining recipe's (InternLM2.5's rope_theta and eps).
const field = internLM2ConfigSchema.in.shape;
const modelShape = z
  .object({
    hidden_size: field.hidden_size,
    num_hidden_layers: field.num_hidden_layers,
    num_attention_heads: field.num_attention_heads,
    /** Defaults to num_attention_heads (no grouping), as in HF. */
    num_key_value_heads: field.num_key_value_heads,
    intermediate_size: field.intermediate_size,
    max_position_embeddings: field.max_position_embeddings,
    rope_theta: z.number().positive().default(1_000_000),
    rms_norm_eps: z.number().positive().default(1e-5),
    tie_word_embeddings: field.tie_word_embeddings,
    init_std: z.number().positive().default(0.02),
  })
  .strict();

/** A pretraining run, InternEvo-style: model, data, optimizer, schedule, checkpoints, exports. */
export const pretrainConfigSchema = z
  .object({
    /** A SentencePiece `.model` or an HF folder; its vocabulary sizes the model. */
    tokenizer: z.string().min(1),
    /** Either a fresh model of this shape, or `init_from` an HF InternLM2 folder. */
    model: modelShape.optional(),
    init_from: z.string().optional(),
    data: z
      .object({
        /** Token shards, text or JSONL files; may be empty when `generate` writes the corpus. */
        train: z.array(z.string().min(1)).default([]),
        /** Held-out files; without them `val_fraction` of the training documents is held out. */
        val: z.array(z.string().min(1)).optional(),
        val_fraction: z.number().min(0).max(0.5).default(0.05),
        text_field: z.string().default('text'),
        /**
         * A generated corpus added to `train`: copy drills, or calculator text (dialogues, restatements
         * and drills), written to output.dir/generated-<kind>.jsonl when absent (sft/calculator/toolCorpus.ts).
         */
        generate: z
          .object({
            kind: z.enum(TOOL_CORPUS_KINDS as [ToolCorpusKind, ...ToolCorpusKind[]]),
            docs: z.number().int().positive(),
            seed: z.number().int().min(0).default(0),
          })
          .strict()
          .optional(),
      })
      .strict()
      // Here rather than in the config-wide refinement, so it is reported with other fields' problems.
      .superRefine((d, ctx) => {
        if (!d.train.length && !d.generate)
          ctx.addIssue({ code: 'custom', path: ['train'], message: 'name at least one training file, or set data.generate' });
      }),
    train: z
      .object({
        seq_len: z.number().int().min(2),
        batch_size: z.number().int().positive(),
        grad_accum: z.number().int().positive().default(1),
        steps: z.number().int().positive(),
        lr: z.number().positive(),
        min_lr: z.number().min(0).default(0),
        warmup_steps: z.number().int().min(0).default(0),
        weight_decay: z.number().min(0).default(0.1),
        beta1: z.number().min(0).lt(1).default(0.9),
        beta2: z.number().min(0).lt(1).default(0.95),
        eps: z.number().positive().default(1e-8),
        grad_clip: z.number().min(0).default(1),
        seed: z.number().int().min(0).default(1234),
        threads: z.number().int().positive().default(1),
        /**
         * Data-parallel copies of the model, each on its own thread with \`threads\` ggml threads
         * (loop/dataParallel.ts); pretraining and full SFT only. 2 on a 2-core machine trains ~1.6×
         * faster than 1 replica with 2 threads on small models.
         */
        replicas: z.number().int().positive().max(64).default(1),
        /**
         * Weight products in fp32, or bf16 mixed precision (f32 master weights, gradients and
         * AdamW state). Unset: bf16 on CPUs with AVX512-BF16, else fp32 (graph/precision.ts).
         */
        precision: z.enum(TRAIN_PRECISIONS).optional(),
      })
      .strict(),
    eval: z
      .object({ every: z.number().int().positive().default(50), batches: z.number().int().positive().default(4) })
      .strict()
      .default({ every: 50, batches: 4 }),
    checkpoint: z
      .object({ every: z.number().int().positive().default(100), keep_last: z.number().int().positive().default(3) })
      .strict()
      .default({ every: 100, keep_last: 3 }),
    output: z
      .object({
        dir: z.string().min(1),
        /** GGUF exports written at the end (llama.cpp types). */
        gguf: z.array(z.enum(['f32', 'f16', 'q8_0'])).default(['f32']),
      })
      .strict(),
    /** Refuse to start when the estimate exceeds this many GiB (default: 80% of RAM). */
    memory_limit_gb: z.number().positive().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.model === !c.init_from)
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: 'give exactly one of "model" (a fresh model) or "init_from" (an HF folder)',
      });
    // the architecture's cross-field rules (head counts, even head dimension): @puyu/model's one copy
    if (c.model)
      for (const p of internLM2ConfigProblems(c.model)) ctx.addIssue({ code: 'custom', path: ['model', p.field], message: p.message });
    if (c.train.min_lr > c.train.lr) ctx.addIssue({ code: 'custom', path: ['train', 'min_lr'], message: 'must not exceed lr' });
    if (c.train.warmup_steps > c.train.steps)
      ctx.addIssue({ code: 'custom', path: ['train', 'warmup_steps'], message: 'must not exceed steps' });
  });

export type PretrainConfig = z.output<typeof pretrainConfigSchema>;

/** The InternLM2 config of a fresh model of `shape`, sized by the tokenizer's vocabulary. */
export function freshModelConfig(
  shape: NonNullable<PretrainConfig['model']>,
  tokenizer: Pick<SentencePieceTokenizer, 'vocabSize' | 'bosId' | 'eosId'>,
): InternLM2Config {
  const { init_std, ...hf } = shape;
  void init_std; // an initialisation setting, not part of the architecture
  return makeInternLM2Config({
    ...hf,
    vocab_size: tokenizer.vocabSize,
    bos_token_id: tokenizer.bosId,
    eos_token_id: tokenizer.eosId,
    pad_token_id: tokenizer.eosId,
  });
}

/** The file paths a pretrain config names; like every Puyu config, they are relative to the config file. */
export const PRETRAIN_CONFIG_PATHS = ['tokenizer', 'init_from', 'data.train[]', 'data.val[]', 'output.dir'] as const;

/** Validates a config object; relative paths are resolved against `baseDir` (the config file's folder). */
export function parsePretrainConfig(raw: unknown, source = 'config', baseDir = process.cwd()): PretrainConfig {
  return parseConfig(pretrainConfigSchema, resolveConfigPaths(raw, baseDir, PRETRAIN_CONFIG_PATHS), source);
}

/** Reads a JSON config file (paths inside are relative to the file). */
export async function loadPretrainConfig(path: string): Promise<PretrainConfig> {
  return parsePretrainConfig(await readJsonConfig(path), path, dirname(resolve(path)));
}
