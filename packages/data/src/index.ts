// @puyu/data — the 书生·万卷-style corpus pipeline: streaming readers and writers, operators
// (normalisation, language ID, Gopher/C4 heuristics, PII, blocklists, exact and MinHash-LSH
// dedup, decontamination, model scoring), `puyu data run` / `puyu data dedup`, synthetic data
// and the flywheel, exports to puyu train (.ptok, XTuner, DPO) and InternEvo (.bin + .bin.meta).

export { type DedupJsonlOptions, type DedupStats, dedupJsonl } from './dedup/dedupJsonl.js';
export { falseNegativeArea, falsePositiveArea, type LshParams, optimalLshParams } from './dedup/lshParams.js';
export { type MergeStats, mergeMinhashShards, SIGNATURE_FILE } from './dedup/mergeShards.js';
export { bandKey, estimateJaccard, MinHasher, type MinHashOptions, resolveMinHashOptions } from './dedup/minhash.js';
export { NearDeduper, type NearDedupOptions, type NearDedupVerdict } from './dedup/NearDeduper.js';
export { exactJaccard, type GeneratedDoc, nearDuplicateCorpus, rng, shingleSet } from './dedup/nearDupFixture.js';
export { readSignatureFile, type SignatureSet, writeSignatureFile } from './dedup/signatureFile.js';
export { DATA_ERROR_CODES, DATA_ERROR_PREFIXES, type DataErrorCode } from './errorCodes.js';
export { DataError } from './errors.js';
export {
  type Conversation,
  dpoLine,
  type PreferencePair,
  type TextEncoder,
  type TokenizedExportStats,
  writeInternEvoBin,
  writeLines,
  writePtok,
  xtunerLine,
} from './export/exports.js';
export { npyInt32 } from './export/npyInt32.js';
export { type DocumentInputFormat, sniffDocument } from './io/documentReader.js';
export { type Doc, type JsonlRecord, readJsonlDocs } from './io/jsonlDocs.js';
export { MalformedLog, type MalformedReason } from './io/Malformed.js';
export { readBytes } from './io/openBytes.js';
export { detectFormat, htmlMainText, INPUT_FORMATS, type InputFormat, type ReaderOptions, readDocs } from './io/readers.js';
export { ShardedJsonlWriter, type ShardedWriterOptions } from './io/ShardedJsonlWriter.js';
export { splitLines } from './io/splitLines.js';
export { type BlocklistOptions, blocklistOperator } from './ops/blocklist.js';
export { type C4Options, c4Operator } from './ops/c4.js';
export { benchmarkTexts, type DecontaminateOptions, decontaminateOperator } from './ops/decontaminate.js';
export { exactDedupOperator, minhashDedupOperator } from './ops/dedupOps.js';
export { type GopherQualityOptions, gopherQualityOperator } from './ops/gopherQuality.js';
export { type GopherRepetitionOptions, gopherRepetitionOperator } from './ops/gopherRepetition.js';
export { type LangIdOptions, langIdOperator, loadLanguageDetector } from './ops/langid.js';
export { type NormalizeOptions, normalizeOperator } from './ops/normalize.js';
export type { Operator } from './ops/Operator.js';
export { type PerplexityOptions, perplexityOperator } from './ops/perplexity.js';
export { type PiiKind, type PiiOptions, piiOperator, validChineseId } from './ops/pii.js';
export { QualityClassifier, type QualityClassifierOptions, qualityClassifierOperator, readExamples } from './ops/qualityClassifier.js';
export { loadPipeline, OPERATORS, type PipelineConfig, parsePipeline, type StepConfig } from './pipeline/config.js';
export { parseShard, type RunOptions, type RunResult, resolveInputs, runPipeline, runPipelineConfig } from './pipeline/runPipeline.js';
export { DONE_MARKER, runUnit, unitDir } from './pipeline/runUnit.js';
export { mergeUnitStats, type StageStats, type UnitStats } from './pipeline/UnitStats.js';
export { type Bars, barChartSvg } from './report/barChartSvg.js';
export { type AugmentTask, augment } from './synth/augment.js';
export { type CodeSample, codeFunction } from './synth/codeFunctions.js';
export { type FlywheelResult, runFlywheel } from './synth/flywheel.js';
export { CALCULATOR_TOOL, evalExpression, generateSynthetic, type SyntheticKind, type SyntheticRecord } from './synth/generate.js';
export { type Judgement, type JudgeOptions, judgeAnswer } from './synth/judge.js';
export { type LabelPairsResult, labelPairs } from './synth/labelPairs.js';
export { arithmeticProblem, formulaProblem, lastNumber, unitConversion, type WorkedProblem } from './synth/mathProblems.js';
export {
  type PairOptions,
  type PairResult,
  preferencePairs,
  type RankedPair,
  type RankedPrompt,
  type Ranker,
} from './synth/preferencePairs.js';
export { fmix32, hashNgrams, normaliseForTokens, WordTokenizer, wordTokenStrings } from './text/wordTokens.js';
