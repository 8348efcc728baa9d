import { ConfigError } from '@puyu/core';
import { type F32Tensor, type InternLM2Config, internLM2TensorSpecs, layerTensorNames, Prng } from '@puyu/model';
import { LINEAR_MODULES, type LinearModule } from '../graph/buildInternLM2Graph.js';

/** The LoRA hyper-parameters (the config's `lora` block, PEFT's LoraConfig). */
export interface LoraSettings {
  rank: number;
  alpha: number;
  dropout: number;
  target_modules: readonly LinearModule[];
}

/**
 * Adapter tensors keyed by their PEFT names (`base_model.model.<HF module>.lora_A.weight`),
 * in PyTorch shapes: A [rank, in], B [out, rank]. The trainer, its checkpoints and
 * adapter_model.safetensors all use these names, so a PEFT user reads the file as is.
 */
export type LoraWeights = Map<string, F32Tensor>;

/** One adapted linear layer: where its A and B live and the shape of the base weight. */
export interface LoraTarget {
  layer: number;
  module: LinearModule;
  /** The base weight's HF name, e.g. model.layers.0.attention.wqkv.weight. */
  base: string;
  a: string;
  b: string;
  out: number;
  in: number;
}

const PEFT_PREFIX = 'base_model.model.';

/** The PEFT name of an adapter tensor of the base weight `base` (an HF name ending in .weight). */
export function peftName(base: string, which: 'A' | 'B'): string {
  return `${PEFT_PREFIX}${base.replace(/\.weight$/, '')}.lora_${which}.weight`;
}

/** Every adapted linear layer, layer by layer in LINEAR_MODULES order. */
export function loraTargets(config: InternLM2Config, modules: readonly LinearModule[]): LoraTarget[] {
  const shapes = new Map(internLM2TensorSpecs(config).map((s) => [s.name, s.shape]));
  const out: LoraTarget[] = [];
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const names = layerTensorNames(layer);
    for (const module of LINEAR_MODULES) {
      if (!modules.includes(module)) continue;
      const base = names[module];
      const [rows, cols] = shapes.get(base) as number[];
      out.push({ layer, module, base, a: peftName(base, 'A'), b: peftName(base, 'B'), out: rows, in: cols });
    }
  }
  return out;
}

/** LoRA's output scale, alpha / rank (PEFT without rsLoRA, llama.cpp's adapter.lora.alpha / rank). */
export const loraScale = (s: Pick<LoraSettings, 'alpha' | 'rank'>): number => s.alpha / s.rank;

/**
 * A fresh adapter as PEFT initialises one: A Kaiming-uniform (a = √5, so U(−1/√in, 1/√in)),
 * B zeros, so training starts from exactly the base model. Seeded, so a run is repeatable.
 */
export function initLoraWeights(config: InternLM2Config, s: LoraSettings, seed: number): LoraWeights {
  if (!s.target_modules.length)
    throw new ConfigError('TRAIN_LORA_BAD_SETTINGS', 'lora.target_modules is empty: name at least one of wqkv, wo, w1, w2, w3.');
  const rng = new Prng(seed);
  const w: LoraWeights = new Map();
  for (const t of loraTargets(config, s.target_modules)) {
    const bound = 1 / Math.sqrt(t.in);
    const a = new Float32Array(s.rank * t.in);
    for (let i = 0; i < a.length; i++) a[i] = (2 * rng.uniform() - 1) * bound;
    w.set(t.a, { shape: [s.rank, t.in], data: a });
    w.set(t.b, { shape: [t.out, s.rank], data: new Float32Array(t.out * s.rank) });
  }
  return w;
}

/**
 * W + scale·B·A for every adapted layer: the merged weights (a copy; `base` is not changed).
 * Accumulated in float64 per element, then rounded once.
 */
export function mergeLora(
  config: InternLM2Config,
  base: Map<string, F32Tensor>,
  adapter: LoraWeights,
  s: Pick<LoraSettings, 'alpha' | 'rank' | 'target_modules'>,
): Map<string, F32Tensor> {
  const merged = new Map(base);
  const scale = loraScale(s);
  const r = s.rank;
  for (const t of loraTargets(config, s.target_modules)) {
    const w = base.get(t.base);
    const a = adapter.get(t.a)?.data;
    const b = adapter.get(t.b)?.data;
    if (!w || !a || !b) throw new ConfigError('TRAIN_LORA_BAD_ADAPTER', `the adapter or the base lacks a tensor for ${t.base}.`);
    const out = new Float32Array(w.data);
    for (let i = 0; i < t.out; i++)
      for (let j = 0; j < t.in; j++) {
        let sum = 0;
        for (let k = 0; k < r; k++) sum += b[i * r + k] * a[k * t.in + j];
        out[i * t.in + j] = w.data[i * t.in + j] + scale * sum;
      }
    merged.set(t.base, { shape: w.shape, data: out });
  }
  return merged;
}
