import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '@puyu/core';
import { openSafetensorsModel, type SafetensorsReader } from '@puyu/formats';
import { type InternLM2Config, parseInternLM2Config } from '../config.js';
import { checkTensorShape, type InternLM2Weights, internLM2TensorSpecs } from '../weights.js';

/**
 * An HF InternLM2 folder opened lazily: config parsed, tensor headers checked
 * against it, tensor data read one tensor at a time on demand — a 20B sharded
 * checkpoint costs no more memory than its largest tensor.
 */
export interface HfModelSource extends AsyncDisposable {
  readonly dir: string;
  readonly config: InternLM2Config;
  readonly reader: SafetensorsReader;
  /** `tokenizer.model` when the folder has one. */
  readonly tokenizerPath: string | undefined;
  /** Parsed `tokenizer_config.json`, if present. */
  readonly tokenizerConfig: Record<string, unknown> | undefined;
  readF32(name: string): Promise<Float32Array>;
  close(): Promise<void>;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ModelError('MODEL_NOT_FOUND', `cannot read ${what} ${path}: ${(e as Error).message}. Is this an HF model folder?`, {
      cause: e,
    });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelError('MODEL_CONFIG_INVALID', `${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

export async function openHfModel(dir: string): Promise<HfModelSource> {
  const config = parseInternLM2Config(await readJson(join(dir, 'config.json'), 'config'), join(dir, 'config.json'));
  const reader = await openSafetensorsModel(dir);
  try {
    checkHeaders(config, reader);
  } catch (e) {
    await reader.close();
    throw e;
  }
  const tokPath = join(dir, 'tokenizer.model');
  const tokCfgPath = join(dir, 'tokenizer_config.json');
  const tokenizerConfig = existsSync(tokCfgPath)
    ? ((await readJson(tokCfgPath, 'tokenizer config')) as Record<string, unknown>)
    : undefined;
  return {
    dir,
    config,
    reader,
    tokenizerPath: existsSync(tokPath) ? tokPath : undefined,
    tokenizerConfig,
    readF32: (name) => reader.readF32(name),
    close: () => reader.close(),
    [Symbol.asyncDispose]: () => reader.close(),
  };
}

/** Every tensor the config needs is present with the right shape (headers only, no data read). */
function checkHeaders(config: InternLM2Config, reader: SafetensorsReader): void {
  const specs = internLM2TensorSpecs(config);
  const missing = specs.filter((s) => !reader.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, … (${missing.length} in all)` : '');
    throw new ModelError('MODEL_MISSING_TENSORS', `the checkpoint lacks tensors the config needs: ${shown}.`, {
      details: { missing },
    });
  }
  for (const s of specs) checkTensorShape(s.name, reader.info(s.name).shape, s.shape);
}

/** Reads a whole HF folder into fp32 memory (for the reference forward and tests). */
export async function loadHfModel(dir: string): Promise<{ config: InternLM2Config; weights: InternLM2Weights }> {
  const src = await openHfModel(dir);
  try {
    const weights: InternLM2Weights = new Map();
    for (const s of internLM2TensorSpecs(src.config)) weights.set(s.name, { shape: s.shape, data: await src.readF32(s.name) });
    return { config: src.config, weights };
  } finally {
    await src.close();
  }
}
