// @puyu/eval — the OpenCompass stage: datasets, prompts, inferencers, evaluators, runner, reports.

// Datasets, prompts, answer extraction, evaluators, sandbox (data and scoring half).
export { arcChallenge } from './datasets/arc.js';
export { BBH_TASKS, bbh } from './datasets/bbh.js';
export { ceval } from './datasets/ceval.js';
export { cmmlu } from './datasets/cmmlu.js';
export { parseCsv } from './datasets/csv.js';
export { gsm8k } from './datasets/gsm8k.js';
export { humaneval } from './datasets/humaneval.js';
export { MATH_SUBJECTS, math, math500 } from './datasets/math.js';
export { mmlu } from './datasets/mmlu.js';
export { DATASETS, getDataset, listDatasets } from './datasets/registry.js';
export { shippedEvalDataRoot } from './datasets/shippedData.js';
// Inferencers, runner, reports, NeedleBench, judge, leaderboard (running and reporting half; models are reached through @puyu/client).
export { BBH_GROUPS, CEVAL_GROUPS, CMMLU_GROUPS, MMLU_GROUPS } from './datasets/summaryGroups.js';
export { EVAL_ERROR_CODES, EVAL_ERROR_PREFIXES, type EvalErrorCode } from './errorCodes.js';
export { AnswerEvaluator, type AnswerRule, majority } from './evaluators/AnswerEvaluator.js';
export { CircularEvaluator, circularExpand, circularId, circularPatterns } from './evaluators/circular.js';
export {
  accuracyEvaluator,
  type BbhOptions,
  bbhEvaluator,
  emEvaluator,
  gsm8kEvaluator,
  mathEvaluator,
  substringEvaluator,
} from './evaluators/evaluators.js';
export { HumanEvalEvaluator, type HumanEvalOptions } from './evaluators/HumanEvalEvaluator.js';
export { passAtK } from './evaluators/passAtK.js';
export {
  predictionSchema,
  readAnyPredictions,
  readPredictions,
  type ScoreDatasetOptions,
  type ScoredDataset,
  scoreDataset,
} from './evaluators/scoreDataset.js';
export { BBH_FREEFORM_TASKS, BBH_MCQ_TASKS, bbhFreeform, bbhFreeformEqual, bbhMcq } from './extract/bbh.js';
export {
  type HumanEvalCodeOptions,
  type HumanEvalPostprocess,
  humanevalCompletion,
  humanevalInternalV2Postprocess,
  humanevalPostprocessV2,
  humanevalProgram,
} from './extract/code.js';
export { extractBoxed, type MathOptions, mathEquiv, mathExtract, normalizeFinalAnswer, stripStringV2 } from './extract/math.js';
export { gsm8kEqual, gsm8kExtract, gsm8kGold } from './extract/numbers.js';
export { OPENCOMPASS_COMMIT } from './extract/opencompass.js';
export { type ChoiceOptions, extractChoice, firstCapital, firstOption, lastOption, optionTextMatch } from './extract/options.js';
export { EXTRACTION_RULES, type ExtractContext, type ExtractionRule, extractAnswer } from './extract/rules.js';
export { exactMatch, generalPostprocess, normalizeAnswer, substringMatch } from './extract/text.js';
export { type CallOutcome, callCached, type InferContext } from './inferencers/callCached.js';
export { GenInferencer, type GenOptions } from './inferencers/GenInferencer.js';
export { type Inferencer, type InferInput, type InferredPrediction, requestFor } from './inferencers/Inferencer.js';
export { majorityVote } from './inferencers/majorityVote.js';
export { PplInferencer } from './inferencers/PplInferencer.js';
export { SelfConsistencyInferencer, type SelfConsistencyOptions } from './inferencers/SelfConsistencyInferencer.js';
export {
  type JudgeOptions,
  judgePairwise,
  judgeSingle,
  type PairItem,
  type PairJudgement,
  pairwiseSummary,
  type SingleItem,
  type SingleJudgement,
  singleSummary,
} from './judge/judge.js';
export { DEFAULT_RUBRIC, pairwisePrompt, parseRating, parseVerdict, singleGradePrompt } from './judge/judgePrompts.js';
export { type BootstrapOptions, bootstrapMeanCI } from './leaderboard/bootstrap.js';
export { type BoardEntry, collectRuns } from './leaderboard/collectRuns.js';
export { leaderboardHtml, type RankedModel, rankModels } from './leaderboard/leaderboardPage.js';
export { insertionPoint, loadHaystack, type NeedleLanguage } from './needlebench/haystack.js';
export { buildNeedlePrompt, type NeedleBenchOptions, needleBenchDataset, needleBenchEvaluator } from './needlebench/needleBenchDataset.js';
export { type NeedleGrid, needleGrids, needleHeatmapPng, needleHeatmapSvg, needleReportArtifacts } from './needlebench/needleHeatmap.js';
export { levenshtein, multiNeedleScore, singleNeedleScore } from './needlebench/needleScore.js';
export { multiNeedle, type Needle, singleNeedle } from './needlebench/needles.js';
export { Raster } from './needlebench/png.js';
export { runNeedleBench } from './needlebench/runNeedleBench.js';
export { approxTokenCount, seededRandom, type TokenCounter, truncateToTokens } from './needlebench/tokens.js';
export { makeTemplate, optionLines, type QaFormat } from './prompts/makeTemplate.js';
export { mulberry32, selectShots } from './prompts/retrievers.js';
export {
  arcTemplate,
  bbhTemplate,
  cevalTemplate,
  cmmluTemplate,
  gsm8kTemplate,
  humanevalTemplate,
  mathTemplate,
  mmluTemplate,
} from './prompts/templates.js';
export { groupScores, headlineGroup, subsetScores, summarizeSubsets } from './report/groupScores.js';
export { type SummaryCell, type SummaryGrid, type SummaryRow, summaryCsv, summaryGrid, summaryMarkdown } from './report/summaryTable.js';
export { type BarGroup, escapeHtml, groupedBarChart, type HeatmapInput, heatColor, heatmapSvg } from './report/svg.js';
export { htmlPage, type ReportOptions, reportHtml, writeReport } from './report/writeReport.js';
export { openCompassNames, readOpenCompassPredictions, topLevelKeys, writeOpenCompassPredictions } from './runner/openCompassLayout.js';
export { type EvalTask, partitionTasks, safeName } from './runner/partition.js';
export {
  type DatasetConfig,
  datasetConfigSchema,
  type ModelConfig,
  modelConfigSchema,
  RUN_CONFIG_PATHS,
  type RunConfig,
  type RunConfigInput,
  runConfigJsonSchema,
  runConfigSchema,
} from './runner/RunConfig.js';
export { type ResolvedModel, resolveModels } from './runner/resolveModels.js';
export { type RunOptions, runEval, type ShotSelector } from './runner/runEval.js';
export { type CachedResult, cacheKey, canonicalJson, SampleCache } from './runner/SampleCache.js';
export type { GroupScore, RunSummary, SubsetScore, TaskRecord, UnitResult } from './runSummary.js';
export { networkIsolation, runPython, type SandboxOptions, type SandboxResult, type SandboxStatus } from './sandbox/PythonSandbox.js';
export {
  type ChatMessage,
  type DatasetDef,
  DatasetError,
  type EvalResult,
  type EvalSample,
  EvaluationError,
  type Evaluator,
  type EvaluatorContext,
  type FewShotConfig,
  type LoadOptions,
  type ModelStyle,
  OPTION_LABELS,
  type OpenCompassNames,
  type Prediction,
  type PredictionError,
  type PromptTemplate,
  type RenderedPrompt,
  type RenderInput,
  type ReportArtifacts,
  type ReportArtifactsInput,
  type RetrieverKind,
  SandboxError,
  type ScoredSample,
  type SummaryGroup,
  type TaskKind,
} from './types.js';
