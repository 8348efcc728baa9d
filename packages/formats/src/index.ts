// @puyu/formats — model file formats, tokenizer and chat protocol.
// Sub-folders keep an internal barrel each; this file is the package's one public entry.

export * from './chat/index.js';
export * from './gguf/index.js';
export * from './numeric/half.js';
export * from './safetensors/index.js';
export * from './tokenizer/index.js';
export * from './tokens/index.js';
