export * from './hf-tokenizer.js';
export * from './sentencepiece-proto.js';
export * from './sentencepiece-tokenizer.js';
export * from './train/index.js';
export * from './gguf-vocab.js';
