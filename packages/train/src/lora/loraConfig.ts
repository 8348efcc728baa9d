import { dirname, resolve } from 'node:path';
import { parseConfig, readJsonConfig, resolveConfigPaths } from '@puyu/core';
import { z } from 'zod';
import { LINEAR_MODULES } from '../graph/buildInternLM2Graph.js';
import { SFT_CONFIG_PATHS, sftConfigSchema } from '../sft/sftConfig.js';

/** The `lora` block: PEFT's LoraConfig fields under their PEFT names. */
export const loraSettingsSchema = z
  .object({
    rank: z.number().int().positive().max(4096).default(8),
    alpha: z.number().positive().default(16),
    /** Dropout on the adapter's input (not on the base layer's), as PEFT's lora_dropout. */
    dropout: z.number().min(0).lt(1).default(0.05),
    target_modules: z
      .array(z.enum(LINEAR_MODULES))
      .min(1)
      .refine((m) => new Set(m).size === m.length, 'lists a module twice')
      .default([...LINEAR_MODULES]),
    /** Seeds A's Kaiming-uniform initialisation (B starts at zero). */
    init_seed: z.number().int().min(0).default(0),
    /**
     * QLoRA: the frozen linear weights held as llama.cpp q8_0 / q4_0 blocks in the training graph
     * (f32 = plain LoRA). The backward then uses ggml's OUT_PROD kernels (packages/train/README.md).
     */
    base_type: z.enum(['f32', 'q8_0', 'q4_0']).default('f32'),
  })
  .strict();

/**
 * A LoRA run: an SFT config (the same data, optimiser, loop and output blocks) plus `lora`. The
 * base stays frozen; only the adapter trains, and the run exports the adapter, not a model
 * (`puyu train merge` folds it into the base).
 */
export const loraConfigSchema = sftConfigSchema.safeExtend({ lora: loraSettingsSchema.default(loraSettingsSchema.parse({})) });

export type LoraConfig = z.output<typeof loraConfigSchema>;

/** Validates a config object; relative paths are resolved against `baseDir` (the config file's folder). */
export function parseLoraConfig(raw: unknown, source = 'config', baseDir = process.cwd()): LoraConfig {
  return parseConfig(loraConfigSchema, resolveConfigPaths(raw, baseDir, SFT_CONFIG_PATHS), source);
}

/** Reads a JSON config file (paths inside are relative to the file). */
export async function loadLoraConfig(path: string): Promise<LoraConfig> {
  return parseLoraConfig(await readJsonConfig(path), path, dirname(resolve(path)));
}
