// @puyu/model — InternLM2: config, pure-TS reference forward, random init, HF ⇄ GGUF conversion.

export {
  INTERNLM2_ARCHITECTURE,
  type InternLM2Config,
  type InternLM2ConfigInput,
  type InternLM2Dims,
  internLM2ConfigSchema,
  internLM2ConfigToJson,
  internLM2Dims,
  internLM2ParamCount,
  makeInternLM2Config,
  parseInternLM2Config,
} from './config.js';
export { InternLM2Reference } from './reference/forward.js';
export { KvCache } from './reference/kv-cache.js';
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
