import type { InternLM2ConfigInput } from './config.js';

/**
 * Named model sizes for `puyu model init`. Vocabulary comes from the tokenizer;
 * FFN widths follow InternLM2's ≈ 8/3·hidden rounded to a multiple of 16 (tiny)
 * or the project's reference training config (small).
 */
export const INTERNLM2_PRESETS = {
  tiny: { hidden_size: 64, intermediate_size: 176, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 },
  small: { hidden_size: 256, intermediate_size: 768, num_hidden_layers: 4, num_attention_heads: 8, num_key_value_heads: 4 },
  base: { hidden_size: 512, intermediate_size: 1408, num_hidden_layers: 8, num_attention_heads: 8, num_key_value_heads: 2 },
} as const satisfies Record<string, Partial<InternLM2ConfigInput>>;

export type InternLM2Preset = keyof typeof INTERNLM2_PRESETS;
