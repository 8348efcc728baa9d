// Calculator tool-use SFT data (issue 11): dialogue generator, safe evaluator and scorer.
export {
  CalculatorError,
  type Expr,
  type ExpressionStyle,
  evaluateExpression,
  formatExpression,
  formatNumber,
  parseExpression,
  sameValue,
} from './expression.js';
export {
  CALCULATOR_TOOL,
  type CalculatorData,
  type CalculatorDataOptions,
  type CalculatorDialogue,
  type CalculatorSplitStats,
  type CalculatorTurn,
  calculatorStats,
  generateCalculatorData,
  toolResultJson,
  writeCalculatorData,
} from './generate.js';
export {
  type AnswerVerdict,
  CALCULATOR_TARGETS,
  type CalculatorItemVerdict,
  type CalculatorResponse,
  type CalculatorScoreSummary,
  type CallVerdict,
  calculatorFollowUp,
  calculatorPrompt,
  expectedValue,
  extractLastNumber,
  scoreCalculatorCall,
  scoreCalculatorItem,
  scoreFinalAnswer,
  summarizeCalculatorScores,
} from './score.js';
export { generateToolCorpus, TOOL_CORPUS_KINDS, type ToolCorpusKind, type ToolCorpusOptions, writeToolCorpus } from './toolCorpus.js';
