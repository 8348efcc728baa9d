import { defineErrorCodes } from '@puyu/core';

/**
 * The error codes @puyu/agent throws (see docs/errors.md). Tool failures and malformed tool
 * calls are not thrown: they go back to the model as tool results, so one bad call never ends a
 * run. These codes are for what the caller must fix.
 */
export const AGENT_ERROR_PREFIXES = ['AGENT_'] as const;

export const AGENT_ERROR_CODES = defineErrorCodes('@puyu/agent', AGENT_ERROR_PREFIXES, {
  AGENT_MODEL_FAILED: {
    meaning: 'The model endpoint answered with an error (after the client retried) while the agent was running.',
    action: 'Check the endpoint is up and the model name is right; the message carries the provider code (PROVIDER_*).',
  },
  AGENT_BAD_TOOL: {
    meaning: 'A tool definition is invalid: an empty or duplicate name, or a name the protocol cannot carry.',
    action: 'Give every tool a unique name of letters, digits, _ and -.',
  },
  AGENT_BAD_PROTOCOL: {
    meaning: 'An unknown tool-calling protocol was asked for.',
    action: 'Use internlm2, openai or react.',
  },
  AGENT_SANDBOX_SPAWN: {
    meaning: 'The Python sandbox could not start python3.',
    action: 'Install python3 (apt-get install python3) or pass its path as `python`.',
  },
  AGENT_SEARCH_FAILED: {
    meaning: 'A web search provider answered with an error or a body that is not its documented format.',
    action: 'Check the provider URL and API key; the message names the status. Rate limits (429) are worth a retry later.',
  },
  AGENT_FETCH_FAILED: {
    meaning: 'A page could not be fetched: a network error, an HTTP error status, a non-text body or a body over the size limit.',
    action: 'Check the URL is reachable; the message names the status or the cause.',
  },
  AGENT_BAD_CORPUS: {
    meaning: 'The local search folder does not exist or holds no .txt, .md or .html documents.',
    action: 'Point --docs at a folder of plain text, Markdown or HTML files.',
  },
  AGENT_PLAN_FAILED: {
    meaning: 'The planner model did not produce a usable plan graph even after the repair prompts.',
    action: 'Use a stronger model or a protocol it follows; the answer falls back to a single search node when this is not fatal.',
  },
  AGENT_MCP_FAILED: {
    meaning: 'An MCP server could not be started or reached, or its tool call failed at the transport level.',
    action: 'Check the server command or URL; run it by hand to see its own error.',
  },
  AGENT_NO_ANSWER: {
    meaning: 'An agent run ended without an answer: it reached its iteration limit or was stopped.',
    action: 'Raise --max-iterations, simplify the task, or try another protocol for this model.',
  },
  AGENT_BAD_INPUT: {
    meaning: 'A command-line or request input is invalid (an empty question, a missing endpoint).',
    action: 'Fix the input as the message says.',
  },
});

export type AgentErrorCode = keyof typeof AGENT_ERROR_CODES;
