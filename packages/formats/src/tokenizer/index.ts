export * from './hf-tokenizer.js';
export * from './sentencepiece-proto.js';
export * from './sentencepiece-tokenizer.js';
