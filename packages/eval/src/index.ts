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
export { AnswerEvaluator, type AnswerRule, majority } from './evaluators/AnswerEvaluator.js';
export { CircularEvaluator, circularExpand, circularId, circularPatterns } from './evaluators/circular.js';
export {
  accuracyEvaluator,
  bbhEvaluator,
  emEvaluator,
  gsm8kEvaluator,
  mathEvaluator,
  substringEvaluator,
} from './evaluators/evaluators.js';
export { HumanEvalEvaluator, type HumanEvalOptions } from './evaluators/HumanEvalEvaluator.js';
export { passAtK } from './evaluators/passAtK.js';
export { predictionSchema, readPredictions, type ScoreDatasetOptions, scoreDataset } from './evaluators/scoreDataset.js';
export { BBH_FREEFORM_TASKS, BBH_MCQ_TASKS, bbhFreeform, bbhMcq } from './extract/bbh.js';
export { humanevalCompletion, humanevalProgram } from './extract/code.js';
export { extractBoxed, mathEquiv, mathExtract, normalizeFinalAnswer, stripStringV2 } from './extract/math.js';
export { gsm8kEqual, gsm8kExtract, gsm8kGold } from './extract/numbers.js';
export { extractChoice, firstCapital, firstOption, lastOption, optionTextMatch } from './extract/options.js';
export { EXTRACTION_RULES, type ExtractContext, type ExtractionRule, extractAnswer } from './extract/rules.js';
export { exactMatch, generalPostprocess, normalizeAnswer, substringMatch } from './extract/text.js';
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
export { networkIsolation, runPython, type SandboxOptions, type SandboxResult, type SandboxStatus } from './sandbox/PythonSandbox.js';
export {
  type ChatMessage,
  type DatasetDef,
  DatasetError,
  type EvalResult,
  type EvalSample,
  EvaluationError,
  type Evaluator,
  type FewShotConfig,
  type LoadOptions,
  type ModelStyle,
  OPTION_LABELS,
  type Prediction,
  type PredictionError,
  type PromptTemplate,
  type RenderedPrompt,
  type RenderInput,
  type RetrieverKind,
  SandboxError,
  type ScoredSample,
  type TaskKind,
} from './types.js';
