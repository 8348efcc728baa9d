// @puyu/agent — agents in the manner of Lagent and MindSearch: an agent loop with memory, zod
// tools, a parallel action executor, hooks and sub-agents; the InternLM2 native, OpenAI and
// ReAct tool protocols; tools (calculator, Python and JavaScript sandboxes, local and web
// search, page fetch, MCP); and MindSearch's planner with parallel searchers.

export { Agent, type AgentHooks, type AgentOptions, agentAsTool, type RunOptions } from './core/agent.js';
export { agentApp } from './core/agentApp.js';
export { ActionExecutor, type ExecutorOptions, errorText } from './core/executor.js';
export { approxTokens, Memory, type MemoryOptions, SessionMemory } from './core/memory.js';
export { type AgentModel, type ModelChunk, providerModel, type ToolCallDelta, type WireMessage } from './core/model.js';
export { openAIStreamingModel, type StreamingModelOptions } from './core/streamingModel.js';
export {
  defineTool,
  type JsonSchema,
  resultText,
  type Tool,
  type ToolContext,
  toOpenAITool,
  toolMap,
  toolParameters,
} from './core/tool.js';
export type { AgentEvent, AgentMessage, AgentToolCall, FinalState, FinalStatus, ProtocolIssue, ToolResult } from './core/types.js';
export { AGENT_ERROR_CODES, AGENT_ERROR_PREFIXES, type AgentErrorCode } from './errorCodes.js';
export { AgentError } from './errors.js';
export { connectMcp, type McpConnection, type McpServerSpec } from './mcp/client.js';
export { mcpServerFor, puyuMcpTools, serveMcpStdio } from './mcp/server.js';
export { citedIds, mapCitations, type Reference, renumberCitations } from './mindsearch/citations.js';
export { type GraphState, type MindSearchOptions, mindSearch, type NodeStatus, type SearchEvent, solve } from './mindsearch/mindSearch.js';
export {
  PLAN_PROMPT,
  PLAN_RETRY_PROMPT,
  type PlanGraph,
  type PlanNode,
  type PlanParse,
  parsePlan,
  readyNodes,
  repairPlan,
} from './mindsearch/plan.js';
export { ask, bestExcerpt, type NodeAnswer, type NodeSource, runSearcher } from './mindsearch/searcher.js';
export { mindSearchApp } from './mindsearch/server.js';
export { InternLM2Protocol, type InternLM2ProtocolOptions, readInternLM2Turn, toInternLM2Messages } from './protocols/internlm2.js';
export { OpenAIProtocol, readOpenAITurn, toOpenAIWire } from './protocols/openai.js';
export type { Protocol, ProtocolName, ProtocolTurn, TurnIssue, TurnOptions } from './protocols/protocol.js';
export { parseReAct, ReActProtocol, reactSystemPrompt, readReActTurn, toReActWire } from './protocols/react.js';
export { chooseProtocol, makeProtocol, PROTOCOL_NAMES } from './protocols/select.js';
export { type FetchPageOptions, fetchPage, fetchPageTool, webReader } from './search/fetchPage.js';
export { LocalSearch, searchTool, tokenize } from './search/localSearch.js';
export { htmlToText } from './search/readable.js';
export type { Page, PageReader, SearchHit, SearchOptions, SearchProvider } from './search/types.js';
export { bing, brave, duckduckgo, fallbackSearch, parseDuckDuckGoHtml, searxng, type WebSearchOptions } from './search/webSearch.js';
export { buildTools, openAgentModel, openSearch, type SearchSetup, TOOL_NAMES } from './setup.js';
export { CalculatorInputError, calculatorTool, evaluateArithmetic, formatResult } from './tools/calculator.js';
export { type JsRunResult, type JsSandboxOptions, javascriptTool, runJavaScriptSandboxed } from './tools/jsSandbox.js';
export {
  formatPythonResult,
  networkIsolation,
  type PythonRunResult,
  type PythonSandboxOptions,
  pythonInterpreterTool,
  runPythonSandboxed,
} from './tools/pythonSandbox.js';
