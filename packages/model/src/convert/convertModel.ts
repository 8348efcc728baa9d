import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '@puyu/core';
import { GgufFile, type GgufMetadata, type GgufWriteResult } from '@puyu/formats';
import type { InternLM2Config } from '../config.js';
import { openHfModel } from '../hf/openHfModel.js';
import type { HfDtype } from '../hf/saveHfModel.js';
import { writeInternLM2Gguf } from './buildInternLM2Gguf.js';
import type { GgufOutputType } from './gguf-names.js';
import { sentencePieceFromGguf, tokenizerGgufMetadata } from './tokenizer-gguf.js';
import { writeHfFromGguf } from './writeHfFromGguf.js';

export type ConvertDirection = 'gguf' | 'hf';

export interface ConvertOptions {
  /** Target format; inferred from the input when omitted (folder → gguf, .gguf → hf). */
  to?: ConvertDirection;
  /** GGUF storage type (HF → GGUF). */
  type?: GgufOutputType;
  /** safetensors dtype (GGUF → HF). */
  dtype?: HfDtype;
  /** GGUF → HF: shard above this many bytes (default 5 GB, as HF). */
  maxShardBytes?: number;
  /** `general.name` of the GGUF. */
  name?: string;
  onTensor?: (done: number, total: number, name: string) => void;
}

export interface ConvertResult {
  direction: ConvertDirection;
  output: string;
  config: InternLM2Config;
  tensors: number;
  bytes?: number;
  tokenizer: boolean;
}

/** Which way a conversion goes, from the input path (and an optional explicit target). */
export function inferDirection(input: string, to?: string): ConvertDirection {
  if (!existsSync(input)) throw new ModelError('MODEL_NOT_FOUND', `${input} does not exist.`);
  const isDir = statSync(input).isDirectory();
  const inferred: ConvertDirection | undefined =
    isDir && existsSync(join(input, 'config.json')) ? 'gguf' : !isDir && input.endsWith('.gguf') ? 'hf' : undefined;
  if (to !== undefined && to !== 'gguf' && to !== 'hf')
    throw new ModelError('MODEL_BAD_DIRECTION', `--to must be "gguf" or "hf", not "${to}".`);
  if (inferred === undefined) {
    throw new ModelError(
      'MODEL_UNKNOWN_INPUT',
      `cannot tell what ${input} is: pass an HF folder (with config.json) to make a GGUF, or a .gguf file to make an HF folder.`,
    );
  }
  if (to !== undefined && to !== inferred) {
    throw new ModelError(
      'MODEL_BAD_DIRECTION',
      `${input} is ${isDir ? 'an HF folder' : 'a GGUF file'}; it converts to ${inferred}, not ${to}.`,
    );
  }
  return inferred;
}

/** HF folder → GGUF, reading one tensor at a time. */
export async function convertHfToGguf(inDir: string, outPath: string, opts: ConvertOptions = {}): Promise<ConvertResult & GgufWriteResult> {
  const src = await openHfModel(inDir);
  try {
    let tokenizer: GgufMetadata | undefined;
    if (src.tokenizerPath) {
      tokenizer = tokenizerGgufMetadata(new Uint8Array(await readFile(src.tokenizerPath)), src.config, src.tokenizerConfig);
    }
    const r = await writeInternLM2Gguf(outPath, src.config, src, { type: opts.type, name: opts.name, tokenizer, onTensor: opts.onTensor });
    return { ...r, direction: 'gguf', output: outPath, config: src.config, tokenizer: tokenizer !== undefined };
  } finally {
    await src.close();
  }
}

/** GGUF → HF folder (config.json, model.safetensors, tokenizer.model rebuilt from the GGUF vocabulary). */
export async function convertGgufToHf(inPath: string, outDir: string, opts: ConvertOptions = {}): Promise<ConvertResult> {
  const f = await GgufFile.open(inPath);
  try {
    const tokenizer = f.metadata.has('tokenizer.ggml.tokens') ? sentencePieceFromGguf(f.metadata) : undefined;
    const config = await writeHfFromGguf(f, outDir, {
      dtype: opts.dtype,
      tokenizer,
      maxShardBytes: opts.maxShardBytes,
      onTensor: opts.onTensor,
    });
    return { direction: 'hf', output: outDir, config, tensors: f.tensors.length, tokenizer: tokenizer !== undefined };
  } finally {
    await f.close();
  }
}

/** Converts in the direction the input implies. */
export async function convertModel(input: string, output: string, opts: ConvertOptions = {}): Promise<ConvertResult> {
  return inferDirection(input, opts.to) === 'gguf' ? convertHfToGguf(input, output, opts) : convertGgufToHf(input, output, opts);
}
