import type { Command } from 'commander';
import { choiceOption, intOption } from '../options.js';
import type { AgentCliOptions, SearchCliOptions } from './agent-run.js';

const collect = (v: string, acc: string[]) => [...acc, v];

/** Options every agent command shares: the model, the protocol and the tools. */
function agentOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--model <spec>', 'URL@model, completions+URL@model, or local:PATH.gguf')
    .option(
      '--protocol <name>',
      'internlm2 (native, over /v1/completions), openai (function calling) or react (default: by endpoint)',
      choiceOption('--protocol', ['internlm2', 'openai', 'react']),
    )
    .option('--tools <list>', 'comma-separated: calculator, python, javascript, search, fetch', 'calculator')
    .option('--mcp <command>', 'an MCP server whose tools the agent gets: a command line or an http(s) URL (repeatable)', collect, [])
    .option('--docs <dir>', 'folder of .txt/.md/.html documents for the search tool (offline)')
    .option('--searxng <url>', 'SearXNG instance for web search (JSON format enabled)')
    .option('--brave-key <key>', 'Brave Search API key (or BRAVE_API_KEY)')
    .option('--bing-key <key>', 'Bing Web Search key (or BING_API_KEY)')
    .option('--duckduckgo', 'search DuckDuckGo (its HTML page)')
    .option('--system <text>', 'system prompt')
    .option('--max-iterations <n>', 'model turns before the run stops', intOption('--max-iterations', { min: 1 }), 8)
    .option('--max-tokens <n>', 'tokens per model turn', intOption('--max-tokens', { min: 1 }), 512)
    .option('--api-key <key>', 'Bearer key for the endpoint (or OPENAI_API_KEY)')
    .option('--stream', 'stream the answer token by token (URL@model endpoints; one attempt, no retries)');
}

/** `puyu agent run|chat|mcp-serve` and `puyu search` (Lagent and MindSearch). */
export function registerAgentCommands(program: Command): void {
  const agent = program.command('agent').description('Tool-using agents (Lagent): run a task, chat, or serve Puyu tools over MCP');
  agentOptions(
    agent
      .command('run')
      .description('Run one task to its final answer, printing each tool call and result')
      .argument('<task>', 'what the agent should do'),
  )
    .option('--json', 'print the final state (status, answer, messages) as JSON')
    .action(async (task: string, o: AgentCliOptions) => (await import('./agent-run.js')).agentRun(task, o));
  agentOptions(
    agent.command('chat').description('Chat with an agent on the terminal (one line per turn; the conversation is kept)'),
  ).action(async (o: AgentCliOptions) => (await import('./agent-run.js')).agentChat(o));
  agent
    .command('mcp-serve')
    .description("Serve Puyu's tools (calculator; local search with --docs) as an MCP server over stdio")
    .option('--docs <dir>', 'folder of .txt/.md/.html documents to expose as the search tool')
    .action(async (o: { docs?: string }) => {
      const { serveMcpStdio } = await import('@puyu/agent');
      await serveMcpStdio({ docs: o.docs });
    });
  program
    .command('search')
    .description('MindSearch: plan sub-questions, search them in parallel, answer with cited sources')
    .argument('<question>', 'the question')
    .requiredOption('--model <spec>', 'URL@model, or local:PATH.gguf')
    .option('--docs <dir>', 'search a folder of .txt/.md/.html documents instead of the web (offline)')
    .option('--searxng <url>', 'SearXNG instance (JSON format enabled)')
    .option('--brave-key <key>', 'Brave Search API key (or BRAVE_API_KEY)')
    .option('--bing-key <key>', 'Bing Web Search key (or BING_API_KEY)')
    .option('--duckduckgo', 'search DuckDuckGo (its HTML page)')
    .option('--max-nodes <n>', 'most sub-questions in the plan', intOption('--max-nodes', { min: 1, max: 32 }), 6)
    .option('--rounds <n>', 'planning rounds: after each, the planner may add sub-questions', intOption('--rounds', { min: 1, max: 8 }), 2)
    .option('--concurrency <n>', 'searchers running at once', intOption('--concurrency', { min: 1 }), 4)
    .option('--api-key <key>', 'Bearer key for the endpoint (or OPENAI_API_KEY)')
    .option('--json', 'print {answer, references, graph} as JSON')
    .action(async (question: string, o: SearchCliOptions) => (await import('./agent-run.js')).searchRun(question, o));
}
