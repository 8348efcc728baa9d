// InternLM2 chat protocol: message types, prompt rendering, streaming response parsing,
// OpenAI message conversion and HF Jinja chat templates.
export { type ChatStreamEvent, InternLM2StreamParser, parseInternLM2Stream } from './internlm2-stream-parser.js';
export {
  fromOpenAIMessages,
  fromOpenAITools,
  INTERPRETER_OPENAI_TOOL,
  INTERPRETER_TOOL_NAME,
  type OpenAIChatMessage,
  type OpenAIContent,
  type OpenAIContentPart,
  type OpenAIConvertOptions,
  type OpenAITool,
  type OpenAIToolCall,
  type ToOpenAIOptions,
  toOpenAIMessages,
  toOpenAIToolCalls,
  toOpenAITools,
} from './openai-messages.js';
export { type ParsedInternLM2Response, parseInternLM2Response, responseToMessage, type ToolCallError } from './parse-internlm2-response.js';
export { extractInterpreterCode, parseToolCallBody, type ToolCallErrorCode, type ToolCallParseResult } from './parse-tool-call-body.js';
export { type PythonJsonOptions, pythonFloatRepr, pythonJsonDumps, pythonJsonString, pythonNumber } from './python-json-dumps.js';
export {
  type ChatTemplateOptions,
  chatTemplateFromTokenizerConfig,
  renderChatTemplate,
  type TemplateMessage,
  toTemplateMessages,
} from './render-chat-template.js';
export {
  INTERNLM2_INTERPRETER_PROMPT,
  INTERNLM2_META_INSTRUCTION,
  type RenderInternLM2Options,
  renderInternLM2Chat,
  renderInternLM2ToolCall,
  renderSubRoleName,
  renderToolDefinitions,
} from './render-internlm2-chat.js';
export {
  ACTION_END,
  ACTION_START,
  IM_END,
  IM_START,
  INTERNLM2_BOS,
  INTERNLM2_EOS,
  INTERNLM2_MARKERS,
  INTERNLM2_SPECIAL_TOKENS,
  INTERNLM2_STOP_WORDS,
  INTERPRETER,
  type InternLM2Marker,
  PLUGIN,
} from './special-tokens.js';
export type {
  ChatMessage,
  ChatRole,
  InterpreterCall,
  JsonObject,
  JsonPrimitive,
  JsonValue,
  PluginCall,
  ToolCall,
  ToolDefinition,
  ToolKind,
} from './types.js';
