import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeModelProto, type SafetensorsTensorInput, writeSafetensors, writeShardedSafetensors } from '@puyu/formats';
import { type InternLM2Config, internLM2ConfigToJson } from '../config.js';
import { checkInternLM2Weights, type InternLM2Weights, internLM2TensorSpecs } from '../weights.js';
import { internLM2TokenizerConfig } from './internlm2-special-tokens.js';

export type HfDtype = 'F32' | 'F16' | 'BF16';

export interface SaveHfOptions {
  /** A SentencePiece `tokenizer.model`: its path or bytes. Adds tokenizer_config.json too. */
  tokenizer?: string | Uint8Array;
  /** Storage dtype of the safetensors file (default F32). */
  dtype?: HfDtype;
  /** Split into `model-0000i-of-0000n.safetensors` + index when the weights exceed this many bytes (HF: 5 GB). */
  maxShardBytes?: number;
  /**
   * Written as tokenizer_config.json's `use_default_system_prompt`: false for a chat model trained
   * without InternLM2's default system prompt, so servers leave it out too. Unset: not written.
   */
  useDefaultSystemPrompt?: boolean;
}

async function tokenizerBytes(t: string | Uint8Array): Promise<Uint8Array> {
  return typeof t === 'string' ? new Uint8Array(await readFile(t)) : t;
}

/**
 * Writes the non-weight files of an HF InternLM2 folder: config.json,
 * generation_config.json and, with a tokenizer, tokenizer.model + tokenizer_config.json.
 */
export async function writeHfSidecars(
  dir: string,
  config: InternLM2Config,
  tokenizer?: string | Uint8Array,
  dtype: HfDtype = 'F32',
  useDefaultSystemPrompt?: boolean,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const torchDtype = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[dtype];
  await writeFile(join(dir, 'config.json'), `${JSON.stringify({ ...internLM2ConfigToJson(config), torch_dtype: torchDtype }, null, 2)}\n`);
  const generation = {
    _from_model_config: true,
    bos_token_id: config.bos_token_id,
    eos_token_id: config.eos_token_id,
    pad_token_id: config.pad_token_id,
  };
  await writeFile(join(dir, 'generation_config.json'), `${JSON.stringify(generation, null, 2)}\n`);
  if (tokenizer !== undefined) {
    const bytes = await tokenizerBytes(tokenizer);
    const proto = decodeModelProto(bytes);
    await writeFile(join(dir, 'tokenizer.model'), bytes);
    const tokCfg = internLM2TokenizerConfig(proto.pieces.map((p) => p.piece ?? ''));
    if (useDefaultSystemPrompt !== undefined) tokCfg.use_default_system_prompt = useDefaultSystemPrompt;
    await writeFile(join(dir, 'tokenizer_config.json'), `${JSON.stringify(tokCfg, null, 2)}\n`);
  }
}

/**
 * Writes a complete HF InternLM2 folder from in-memory weights:
 * config.json + model.safetensors (+ generation_config.json, tokenizer files).
 */
export async function saveHfModel(
  dir: string,
  config: InternLM2Config,
  weights: InternLM2Weights,
  opts: SaveHfOptions = {},
): Promise<void> {
  checkInternLM2Weights(config, weights);
  const dtype = opts.dtype ?? 'F32';
  await writeHfSidecars(dir, config, opts.tokenizer, dtype, opts.useDefaultSystemPrompt);
  const tensors: SafetensorsTensorInput[] = internLM2TensorSpecs(config).map((s) => ({
    name: s.name,
    dtype,
    shape: s.shape,
    data: (weights.get(s.name) as { data: Float32Array }).data,
  }));
  if (opts.maxShardBytes !== undefined) await writeShardedSafetensors(dir, tensors, { maxShardBytes: opts.maxShardBytes });
  else await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
}
