export * from './describeGguf.js';
export * from './GgufFile.js';
export * from './GgufWriter.js';
export * from './ggml-type.js';
export * from './kquant.js';
export * from './quant.js';
export * from './types.js';
export { GGUF_MAX_ARRAY_DEPTH, GGUF_MAX_ARRAY_ITEMS, GGUF_MAX_STRING_BYTES } from './value-codec.js';
