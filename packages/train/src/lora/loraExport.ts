import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@puyu/core';
import { GgufWriter, gv, SafetensorsFile, writeSafetensors } from '@puyu/formats';
import {
  GGUF_ARCH,
  type GgufOutputType,
  hfToGgufName,
  INTERNLM2_GGUF_KEYS,
  type InternLM2Config,
  internLM2Dims,
  permuteForLlamaRope,
  splitWqkv,
  tensorTypeFor,
} from '@puyu/model';
import { z } from 'zod';
import { LINEAR_MODULES } from '../graph/buildInternLM2Graph.js';
import { type LoraSettings, type LoraWeights, loraTargets } from './loraWeights.js';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

/**
 * Writes a PEFT adapter folder: adapter_config.json (PEFT's LoraConfig fields) and
 * adapter_model.safetensors with PEFT's tensor names, so `PeftModel.from_pretrained(base, dir)`
 * reads it as is.
 */
export async function saveLoraAdapter(dir: string, s: LoraSettings, weights: LoraWeights, baseModel: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const peftConfig = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: s.rank,
    lora_alpha: s.alpha,
    lora_dropout: s.dropout,
    target_modules: [...s.target_modules],
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    modules_to_save: null,
    layers_to_transform: null,
    revision: null,
  };
  await writeFile(join(dir, ADAPTER_CONFIG), `${JSON.stringify(peftConfig, null, 2)}\n`);
  const tensors = [...weights].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape, data: t.data }));
  await writeSafetensors(join(dir, ADAPTER_WEIGHTS), tensors);
}

const peftConfigSchema = z.object({
  peft_type: z.literal('LORA'),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).lt(1).default(0),
  target_modules: z.array(z.enum(LINEAR_MODULES)).min(1),
  use_rslora: z.literal(false).optional(),
  use_dora: z.literal(false).optional(),
  bias: z.literal('none').optional(),
  fan_in_fan_out: z.literal(false).optional(),
  base_model_name_or_path: z.string().nullish(),
});

/**
 * Reads a PEFT LoRA folder and checks it against the base model's config: every target's A and
 * B present with the right shapes, nothing else. (rsLoRA, DoRA, biases: refused by name.)
 */
export async function readLoraAdapter(dir: string, config: InternLM2Config): Promise<{ settings: LoraSettings; weights: LoraWeights }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, ADAPTER_CONFIG), 'utf8'));
  } catch (e) {
    throw new ConfigError(
      'TRAIN_LORA_BAD_ADAPTER',
      `${dir} has no readable ${ADAPTER_CONFIG}; point --adapter at a PEFT LoRA folder (a LoRA run's adapter/).`,
      {
        cause: e,
      },
    );
  }
  const parsed = peftConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      'TRAIN_LORA_BAD_ADAPTER',
      `${join(dir, ADAPTER_CONFIG)} is not a LoRA config this tool can merge: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
    );
  const c = parsed.data;
  const settings: LoraSettings = { rank: c.r, alpha: c.lora_alpha, dropout: c.lora_dropout, target_modules: c.target_modules };
  const weights: LoraWeights = new Map();
  try {
    await using st = await SafetensorsFile.open(join(dir, ADAPTER_WEIGHTS));
    for (const t of st.tensors) weights.set(t.name, { shape: [...t.shape], data: await st.readF32(t.name) });
  } catch (e) {
    throw new ConfigError('TRAIN_LORA_BAD_ADAPTER', `${join(dir, ADAPTER_WEIGHTS)} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  const problems: string[] = [];
  const expected = new Set<string>();
  for (const t of loraTargets(config, settings.target_modules))
    for (const [name, shape] of [
      [t.a, [c.r, t.in]],
      [t.b, [t.out, c.r]],
    ] as const) {
      expected.add(name);
      const w = weights.get(name);
      if (!w) problems.push(`${name} is missing`);
      else if (w.shape.join() !== shape.join()) problems.push(`${name} is [${w.shape.join(', ')}], the base needs [${shape.join(', ')}]`);
    }
  for (const name of weights.keys()) if (!expected.has(name)) problems.push(`${name} is not an adapter tensor of this base`);
  if (problems.length)
    throw new ConfigError(
      'TRAIN_LORA_BAD_ADAPTER',
      `${dir} does not fit this base model: ${problems.slice(0, 6).join('; ')}${problems.length > 6 ? ` and ${problems.length - 6} more` : ''}. Merge it into the base it was trained on.`,
    );
  return { settings, weights };
}

/**
 * Writes the adapter as a llama.cpp GGUF LoRA (general.type = adapter, adapter.type = lora,
 * adapter.lora.alpha; tensors `<base GGUF name>.lora_a` ne [in, rank] and `.lora_b` ne [rank, out]),
 * which node-llama-cpp loads with `createContext({lora})`. Our GGUF splits InternLM2's packed
 * wqkv into attn_q/k/v with Q and K rows permuted for llama.cpp's RoPE, so wqkv's B is split
 * and permuted the same way, while its A (the input side) is shared by all three.
 */
export async function writeLoraGguf(
  path: string,
  config: InternLM2Config,
  s: LoraSettings,
  weights: LoraWeights,
  type: GgufOutputType = 'f32',
): Promise<void> {
  const d = internLM2Dims(config);
  const r = s.rank;
  const w = new GgufWriter();
  w.set('general.architecture', gv.str(GGUF_ARCH));
  w.set('general.type', gv.str('adapter'));
  w.set('general.name', gv.str('InternLM2 LoRA'));
  w.set('adapter.type', gv.str('lora'));
  w.set('adapter.lora.alpha', gv.f32(s.alpha));
  // Trained on SFT-rendered dialogues (no default system prompt): `puyu serve --lora` reads this.
  w.set(INTERNLM2_GGUF_KEYS.puyuUseDefaultSystemPrompt, gv.bool(false));
  const add = (name: string, shape: readonly number[], data: Float32Array) =>
    w.addTensor(name, [...shape].reverse(), data, tensorTypeFor(type, shape));
  for (const t of loraTargets(config, s.target_modules)) {
    const a = weights.get(t.a);
    const b = weights.get(t.b);
    if (!a || !b) throw new ConfigError('TRAIN_LORA_BAD_ADAPTER', `the adapter lacks ${a ? t.b : t.a}.`);
    if (t.module === 'wqkv') {
      const split = splitWqkv(b.data, d, r);
      const parts = {
        attn_q: permuteForLlamaRope(split.q, d.nHeads, d.headDim, r),
        attn_k: permuteForLlamaRope(split.k, d.nKvHeads, d.headDim, r),
        attn_v: split.v,
      };
      for (const [name, bPart] of Object.entries(parts)) {
        const base = `blk.${t.layer}.${name}.weight`;
        add(`${base}.lora_a`, a.shape, a.data);
        add(`${base}.lora_b`, [bPart.length / r, r], bPart);
      }
      continue;
    }
    const base = hfToGgufName(t.base) as string;
    add(`${base}.lora_a`, a.shape, a.data);
    add(`${base}.lora_b`, b.shape, b.data);
  }
  await w.write(path);
}
