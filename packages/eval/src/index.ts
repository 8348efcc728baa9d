// @puyu/eval — the OpenCompass stage: datasets, prompts, inferencers, evaluators, runner, reports.

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
