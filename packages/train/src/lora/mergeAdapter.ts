import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@puyu/core';
import { convertHfToGguf, type GgufOutputType, loadHfModel, saveHfModel } from '@puyu/model';
import { tokenizerFile } from '../pretrain/fingerprint.js';
import { readLoraAdapter } from './loraExport.js';
import { mergeLora } from './loraWeights.js';

export interface MergeOptions {
  /** The HF InternLM2 folder the adapter was trained on. */
  base: string;
  /** A PEFT LoRA folder (a LoRA run's adapter/). */
  adapter: string;
  /** The merged HF folder to write. */
  out: string;
  /** GGUF files to convert the merged folder to (out/model-<type>.gguf). */
  gguf?: readonly GgufOutputType[];
}

/**
 * Folds a LoRA adapter into its base (W + alpha/rank·B·A for every adapted layer) and writes an
 * HF folder with the base's tokenizer and the InternLM2 chat_template, plus GGUF files if asked.
 */
export async function mergeLoraAdapter(o: MergeOptions): Promise<{ hf: string; gguf: string[]; adapted: number }> {
  if (!existsSync(join(o.base, 'config.json')))
    throw new ConfigError(
      'TRAIN_LORA_BAD_ADAPTER',
      `--base ${o.base} is not an HF InternLM2 folder (no config.json); name the folder the adapter was trained on.`,
    );
  if (existsSync(join(o.out, 'config.json')))
    throw new ConfigError('TRAIN_OUTPUT_EXISTS', `${o.out} already holds a model; choose another --out (a merge never overwrites one).`);
  const { config, weights } = await loadHfModel(o.base);
  const { settings, weights: adapter } = await readLoraAdapter(o.adapter, config);
  const merged = mergeLora(config, weights, adapter, settings);
  // LoRA trains on SFT-rendered dialogues (no default system prompt), so the merged model says so.
  await saveHfModel(o.out, config, merged, {
    tokenizer: new Uint8Array(await readFile(await tokenizerFile(o.base))),
    useDefaultSystemPrompt: false,
  });
  const gguf: string[] = [];
  for (const type of o.gguf ?? []) {
    const path = join(o.out, `model-${type}.gguf`);
    await convertHfToGguf(o.out, path, { type });
    gguf.push(path);
  }
  return { hf: o.out, gguf, adapted: adapter.size / 2 };
}
