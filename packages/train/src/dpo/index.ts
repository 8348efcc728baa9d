// DPO (XTuner stage): preference pairs, the sigmoid-DPO ggml graph, reference log-probs, the method.
export { type CalculatorPair, type CalculatorPairKind, generateCalculatorPairs, writeCalculatorPairs } from './calculatorPairs.js';
export { DpoGraph, type DpoGraphShape, type DpoPlan } from './DpoGraph.js';
export { DpoModel, type DpoRun, planDpoBatch } from './DpoModel.js';
export { type DpoBatch, DpoBatcher, type DpoBatcherOptions, dpoBatch } from './data/DpoBatcher.js';
export { DpoDataError, type DpoLineCode, type DpoSkippedLine } from './data/DpoDataError.js';
export { type DpoPair, type DpoReadResult, parseDpoJsonl, parseDpoRecord, readDpoJsonl } from './data/readDpoJsonl.js';
export { type DpoExample, type DpoSequence, tokenizeDpoPairs } from './data/tokenizeDpoPair.js';
export { type DpoResult, type DpoSkippedReport, dpo } from './dpo.js';
export { type DpoConfig, dpoConfigSchema, loadDpoConfig, parseDpoConfig } from './dpoConfig.js';
export { dpoLoss, dpoPairMetrics } from './dpoMetrics.js';
export { type HeldOutRewards, heldOutRewards } from './heldOutRewards.js';
export { type ReferenceLogps, referenceLogps } from './referenceLogps.js';
export { runDpo } from './runDpo.js';
