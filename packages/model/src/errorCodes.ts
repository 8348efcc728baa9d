import { defineErrorCodes } from '@puyu/core';

/** The error codes @puyu/model throws or returns (see docs/errors.md and @puyu/core's defineErrorCodes). */
export const MODEL_ERROR_PREFIXES = ['MODEL_'] as const;

export const MODEL_ERROR_CODES = defineErrorCodes('@puyu/model', MODEL_ERROR_PREFIXES, {
  MODEL_NOT_FOUND: {
    meaning: 'The model path does not exist, or a folder has no readable config.json.',
    action: 'Pass an HF model folder (with config.json), a .safetensors or a .gguf file.',
  },
  MODEL_CONFIG_INVALID: {
    meaning: 'config.json is not valid JSON or breaks an InternLM2 hyper-parameter rule.',
    action: 'Fix the fields the message lists.',
  },
  MODEL_UNKNOWN_ARCHITECTURE: {
    meaning: 'The checkpoint is not InternLM2 (config architectures or GGUF general.architecture).',
    action: 'Pick an InternLM2 / 2.5 model or convert the checkpoint to InternLM2.',
  },
  MODEL_BAD_HEADS: {
    meaning: 'The head counts do not fit the hidden size (not divisible, not whole GQA groups, or an odd head dimension).',
    action: 'Choose num_attention_heads and num_key_value_heads that divide evenly and give an even head dimension.',
  },
  MODEL_BIAS_UNSUPPORTED: {
    meaning: 'The config asks for linear biases, which InternLM2 checkpoints do not have.',
    action: 'Set "bias": false.',
  },
  MODEL_MISSING_TENSORS: {
    meaning: 'The checkpoint lacks tensors the config needs.',
    action: 'Check the download is complete and that the weights belong to this config.',
  },
  MODEL_SHAPE_MISMATCH: {
    meaning: 'A tensor has a different shape from what config.json implies.',
    action: 'The weights and config.json do not belong together: use the matching pair.',
  },
  MODEL_UNMAPPED_TENSOR: {
    meaning: 'A tensor has no counterpart name between the HF and GGUF layouts.',
    action: 'The checkpoint holds tensors InternLM2 does not have: check it is a plain InternLM2 model.',
  },
  MODEL_VOCAB_MISMATCH: {
    meaning: "The tokenizer's piece count and the model's vocab_size disagree.",
    action: 'Use the tokenizer the model was trained with, or fix vocab_size.',
  },
  MODEL_VOCAB_TOO_SMALL: {
    meaning: 'A byte-level vocabulary was asked for with fewer pieces than specials plus 256 bytes need.',
    action: 'Pass a larger --vocab.',
  },
  MODEL_GGUF_MISSING_KEY: {
    meaning: 'The GGUF lacks InternLM2 metadata needed to rebuild config.json.',
    action: 'Re-convert the model: it is not a complete InternLM2 GGUF.',
  },
  MODEL_UNKNOWN_INPUT: {
    meaning: 'The conversion input is neither an HF folder with config.json nor a .gguf file.',
    action: 'Pass an HF folder to make a GGUF, or a .gguf file to make an HF folder.',
  },
  MODEL_BAD_DIRECTION: {
    meaning: 'The conversion target is not "gguf" or "hf", or does not fit the input.',
    action: 'Drop --to (it is inferred from the input) or set the one the message names.',
  },
  MODEL_BAD_OUTPUT_TYPE: {
    meaning: 'The GGUF output tensor type is unknown.',
    action: 'Choose one of the types the message lists (f32, f16, bf16, q8_0, q4_0).',
  },
  MODEL_TOKEN_RANGE: {
    meaning: 'A token id given to the reference forward is outside the vocabulary.',
    action: 'Tokenize with the model’s own tokenizer.',
  },
  MODEL_CACHE_OVERFLOW: {
    meaning: 'A KV-cache commit went past its reserved capacity.',
    action: 'A bug in the caller: reserve a larger cache or commit fewer tokens.',
  },
  MODEL_CACHE_RANGE: {
    meaning: 'A KV cache was asked to truncate to a length outside what it holds.',
    action: 'A bug in the caller: truncate to between 0 and the cached length.',
  },
});

export type ModelErrorCode = keyof typeof MODEL_ERROR_CODES;
