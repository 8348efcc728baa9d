// @puyu/train — pretraining and fine-tuning on ggml (InternEvo / XTuner stages).

export { type CheckpointData, CheckpointError, type CheckpointManifest, Checkpoints } from './checkpoint/Checkpoints.js';
export { loadTrainingTokens, splitDocuments } from './data/loadTrainingTokens.js';
export { type BatcherState, type PackedBatch, PackedBatcher } from './data/PackedBatcher.js';
export {
  type CalculatorPair,
  type CalculatorPairKind,
  type DpoBatch,
  DpoBatcher,
  type DpoConfig,
  DpoDataError,
  type DpoExample,
  type DpoLineCode,
  DpoModel,
  type DpoPair,
  type DpoResult,
  type DpoSkippedLine,
  type DpoSkippedReport,
  dpo,
  dpoBatch,
  dpoConfigSchema,
  dpoLoss,
  dpoPairMetrics,
  generateCalculatorPairs,
  loadDpoConfig,
  parseDpoConfig,
  parseDpoJsonl,
  readDpoJsonl,
  runDpo,
  tokenizeDpoPairs,
  writeCalculatorPairs,
} from './dpo/index.js';
export { TRAIN_ERROR_CODES, TRAIN_ERROR_PREFIXES, type TrainErrorCode } from './errorCodes.js';
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
export { type BackwardMatmul, LossGraph, type LossGraphShape } from './graph/LossGraph.js';
export { buildMaskedCrossEntropy, type LossPlan, planMaskedLoss } from './graph/maskedCrossEntropy.js';
export { cpuHasBf16, defaultPrecision, resolvePrecision, TRAIN_PRECISIONS, type TrainPrecision } from './graph/precision.js';
export { DataParallelModel, type LmBatch, sliceBatch } from './loop/dataParallel.js';
export { type FullExport, fullParameter, lmTrainModel, packedBatchWeight } from './loop/fullParameter.js';
export {
  type LoopMethod,
  type LoopOptions,
  type LoopResult,
  type LoopSettings,
  refuseOverwrite,
  type TrainBatcher,
  type TrainModel,
  trainLoop,
} from './loop/trainLoop.js';
export { LoraAdapter } from './lora/LoraAdapter.js';
export { type LoraBatch, type LoraExport, type LoraResult, lora, seedDropout } from './lora/lora.js';
export { type LoraConfig, loadLoraConfig, loraConfigSchema, loraSettingsSchema, parseLoraConfig } from './lora/loraConfig.js';
export { ADAPTER_CONFIG, ADAPTER_WEIGHTS, readLoraAdapter, saveLoraAdapter, writeLoraGguf } from './lora/loraExport.js';
export {
  initLoraWeights,
  type LoraSettings,
  type LoraTarget,
  type LoraWeights,
  loraScale,
  loraTargets,
  mergeLora,
  peftName,
} from './lora/loraWeights.js';
export { type MergeOptions, mergeLoraAdapter } from './lora/mergeAdapter.js';
export { runLora } from './lora/runLora.js';
export { AdamW, type AdamWOptions, type AdamWStepScalars, decaysMatrices } from './optim/AdamW.js';
export { clipGradNorm } from './optim/clipGradNorm.js';
export { type LrSchedule, learningRate } from './optim/lrSchedule.js';
export { checkMemory, estimateTrainingBytes } from './pretrain/estimateMemory.js';
export { type PretrainOptions, type PretrainResult, pretrain, type StepMetrics, unigramCrossEntropy } from './pretrain/pretrain.js';
export { loadPretrainConfig, type PretrainConfig, parsePretrainConfig, pretrainConfigSchema } from './pretrain/pretrainConfig.js';
export { runPretrain } from './pretrain/runPretrain.js';
export { type CurveSeries, lossCurveSvg } from './report/lossCurveSvg.js';
export {
  type AnswerVerdict,
  CALCULATOR_TARGETS,
  CALCULATOR_TOOL,
  type CalculatorData,
  type CalculatorDataOptions,
  type CalculatorDialogue,
  CalculatorError,
  type CalculatorItemVerdict,
  type CalculatorResponse,
  type CalculatorScoreSummary,
  type CalculatorSplitStats,
  type CalculatorTurn,
  type CallVerdict,
  calculatorFollowUp,
  calculatorPrompt,
  calculatorStats,
  type Expr,
  evaluateExpression,
  expectedValue,
  extractLastNumber,
  formatExpression,
  formatNumber,
  generateCalculatorData,
  generateToolCorpus,
  parseExpression,
  scoreCalculatorCall,
  scoreCalculatorItem,
  scoreFinalAnswer,
  summarizeCalculatorScores,
  TOOL_CORPUS_KINDS,
  type ToolCorpusKind,
  type ToolCorpusOptions,
  toolResultJson,
  writeCalculatorData,
  writeToolCorpus,
} from './sft/calculator/index.js';
export {
  assertChatMarkers,
  parseSftJsonl,
  parseSftRecord,
  readSftJsonl,
  renderSftSegments,
  SFT_FORMATS,
  SFT_PAD_DOC_ID,
  SftBatcher,
  type SftBatcherOptions,
  SftDataError,
  type SftDialogue,
  type SftExample,
  type SftFormat,
  type SftLineCode,
  type SftReadOptions,
  type SftReadResult,
  type SftSegment,
  type SftSkippedLine,
  type SftTokenizeOptions,
  sftRenderOptions,
  tokenizeSftDialogue,
  tokenizeSftDialogues,
} from './sft/data/index.js';
export { runSft } from './sft/runSft.js';
export { type SftResult, type SftSkippedReport, sft } from './sft/sft.js';
export { loadSftConfig, parseSftConfig, type SftConfig, sftConfigSchema } from './sft/sftConfig.js';
