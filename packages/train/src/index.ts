// @puyu/train — pretraining and fine-tuning on ggml (InternEvo / XTuner stages).

export {
  buildInternLM2Hidden,
  type InternLM2GraphInputs,
  lmHead,
  packedCausalMask,
  packedPositions,
  ropeFreqBase,
} from './graph/buildInternLM2Graph.js';
export { GgmlInternLM2 } from './graph/GgmlInternLM2.js';
export { InternLM2Params } from './graph/InternLM2Params.js';
