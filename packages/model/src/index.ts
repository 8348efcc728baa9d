// @puyu/model — InternLM2: config, pure-TS reference forward, random init, HF ⇄ GGUF conversion.

export { defaultTokenizerPath } from './assets.js';
export {
  INTERNLM2_ARCHITECTURE,
  type InternLM2Config,
  type InternLM2ConfigInput,
  type InternLM2ConfigProblem,
  type InternLM2Dims,
  type InternLM2ShapeFields,
  internLM2ConfigProblems,
  internLM2ConfigSchema,
  internLM2ConfigToJson,
  internLM2Dims,
  internLM2ParamCount,
  makeInternLM2Config,
  parseInternLM2Config,
} from './config.js';
export {
  type BuildGgufOptions,
  buildInternLM2Gguf,
  internLM2GgufMetadata,
  type TensorSource,
  writeInternLM2Gguf,
} from './convert/buildInternLM2Gguf.js';
export {
  type ConvertDirection,
  type ConvertOptions,
  type ConvertResult,
  convertGgufToHf,
  convertHfToGguf,
  convertModel,
  inferDirection,
} from './convert/convertModel.js';
export {
  GGUF_ARCH,
  GGUF_OUTPUT_TYPES,
  type GgufOutputType,
  hfToGgufName,
  KV as INTERNLM2_GGUF_KEYS,
  parseGgufOutputType,
  tensorTypeFor,
} from './convert/gguf-names.js';
export { packWqkv, permuteForLlamaRope, splitWqkv, unpermuteFromLlamaRope } from './convert/qkv.js';
export { tokenizerGgufMetadata } from './convert/tokenizer-gguf.js';
export { type GgufToHfOptions, internLM2ConfigFromGguf, shortestF32, writeHfFromGguf } from './convert/writeHfFromGguf.js';
export { MODEL_ERROR_CODES, MODEL_ERROR_PREFIXES, type ModelErrorCode } from './errorCodes.js';
export { INTERNLM2_CHAT_TOKENS, internLM2TokenizerConfig } from './hf/internlm2-special-tokens.js';
export { type HfModelSource, loadHfModel, openHfModel } from './hf/openHfModel.js';
export { type HfDtype, type SaveHfOptions, saveHfModel, writeHfSidecars } from './hf/saveHfModel.js';
export { type InitOptions, initInternLM2 } from './init/initInternLM2.js';
export { Prng } from './init/Prng.js';
export { formatModelSummary, inspectModel, type ModelSummary, type TensorRow, type TokenizerSummary } from './inspect/inspectModel.js';
export { INTERNLM2_PRESETS, type InternLM2Preset } from './presets.js';
export { type ForwardOptions, InternLM2Reference } from './reference/InternLM2Reference.js';
export { KvCache } from './reference/KvCache.js';
export { BYTE_LEVEL_BASE, makeByteLevelSentencePiece } from './tokenizer/byteLevelSentencePiece.js';
export {
  checkInternLM2Weights,
  checkTensorShape,
  type F32Tensor,
  FINAL_NORM,
  type InternLM2Weights,
  internLM2TensorSpecs,
  layerTensorNames,
  OUTPUT,
  type TensorSpec,
  TOK_EMBEDDINGS,
} from './weights.js';
