// @puyu/formats — model file formats, tokenizer and chat protocol.
// This root entry re-exports everything. Each area is also its own entry point
// (`@puyu/formats/chat`, `/tokenizer`, `/gguf`, `/safetensors`, `/tokens`): a consumer
// such as an agent imports `@puyu/formats/chat` and loads the InternLM2 chat and tool
// parser without the GGUF readers or the BPE trainer (entryPoints.test.ts keeps it so).

export * from './chat/index.js';
export { FORMATS_ERROR_CODES, FORMATS_ERROR_PREFIXES, type FormatsErrorCode } from './errorCodes.js';
export * from './gguf/index.js';
export * from './numeric/half.js';
export * from './safetensors/index.js';
export * from './tokenizer/index.js';
export * from './tokens/index.js';
