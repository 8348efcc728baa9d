import { type ModelOptions, openModel, parseModelSpec } from '@puyu/client';
import type { AgentModel } from './core/model.js';
import { providerModel } from './core/model.js';
import { openAIStreamingModel } from './core/streamingModel.js';
import type { Tool } from './core/tool.js';
import { AgentError } from './errors.js';
import { connectMcp, type McpConnection } from './mcp/client.js';
import { fetchPageTool, webReader } from './search/fetchPage.js';
import { LocalSearch, searchTool } from './search/localSearch.js';
import type { PageReader, SearchProvider } from './search/types.js';
import { bing, brave, duckduckgo, fallbackSearch, searxng } from './search/webSearch.js';
import { calculatorTool } from './tools/calculator.js';
import { javascriptTool } from './tools/jsSandbox.js';
import { pythonInterpreterTool } from './tools/pythonSandbox.js';

/**
 * A model for agents: the client's provider (retries, pools, local: models) behind AgentModel,
 * or with `stream: true` and a URL spec, the streaming model (tokens as they come, one attempt).
 */
export async function openAgentModel(
  spec: string,
  opts: Omit<ModelOptions, 'spec'> & { stream?: boolean } = {},
): Promise<{ model: AgentModel; api: 'chat' | 'completions'; name: string; close(): Promise<void> }> {
  const { stream, ...modelOpts } = opts;
  const parsed = parseModelSpec(spec);
  if (stream && parsed.kind === 'openai') {
    const model = openAIStreamingModel({ baseUrl: parsed.baseUrl, model: parsed.model, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs });
    return { model, api: parsed.api, name: parsed.model, close: async () => {} };
  }
  const opened = await openModel({ spec, ...modelOpts });
  return { model: providerModel(opened.provider), api: opened.api, name: opened.model, close: async () => opened.provider.close?.() };
}

/** Where search results come from: a local folder, or web providers tried in order. */
export interface SearchSetup {
  docs?: string;
  searxng?: string;
  bingKey?: string;
  braveKey?: string;
  duckduckgo?: boolean;
}

/** The search provider and page reader a setup names; the local folder wins when given. */
export async function openSearch(s: SearchSetup): Promise<{ search: SearchProvider; reader: PageReader } | undefined> {
  if (s.docs) {
    const local = await LocalSearch.fromFolder(s.docs);
    return { search: local, reader: local };
  }
  const providers: SearchProvider[] = [];
  if (s.searxng) providers.push(searxng({ baseUrl: s.searxng }));
  if (s.braveKey) providers.push(brave({ apiKey: s.braveKey }));
  if (s.bingKey) providers.push(bing({ apiKey: s.bingKey }));
  if (s.duckduckgo) providers.push(duckduckgo());
  if (providers.length === 0) return undefined;
  return { search: providers.length === 1 ? (providers[0] as SearchProvider) : fallbackSearch(providers), reader: webReader() };
}

export const TOOL_NAMES = ['calculator', 'python', 'javascript', 'search', 'fetch'] as const;

/** Builds the named tools (plus every tool of each MCP server); `close()` ends the MCP connections. */
export async function buildTools(
  names: readonly string[],
  s: SearchSetup & { mcp?: string[] } = {},
): Promise<{ tools: Tool[]; close(): Promise<void> }> {
  const tools: Tool[] = [];
  const connections: McpConnection[] = [];
  const search = names.some((n) => n === 'search' || n === 'fetch') ? await openSearch(s) : undefined;
  for (const name of names) {
    if (name === 'calculator') tools.push(calculatorTool as Tool);
    else if (name === 'python') tools.push(pythonInterpreterTool() as Tool);
    else if (name === 'javascript') tools.push(javascriptTool() as Tool);
    else if (name === 'search' || name === 'fetch') {
      if (!search)
        throw new AgentError(
          'AGENT_BAD_INPUT',
          `The ${name} tool needs --docs DIR or a web provider (--searxng URL, --brave-key, --bing-key, --duckduckgo).`,
        );
      tools.push((name === 'search' ? searchTool(search.search) : fetchPageTool(search.reader)) as Tool);
    } else throw new AgentError('AGENT_BAD_INPUT', `Unknown tool ${JSON.stringify(name)}; choose from ${TOOL_NAMES.join(', ')}.`);
  }
  for (const command of s.mcp ?? []) {
    const [cmd, ...args] = command.split(/\s+/).filter(Boolean);
    if (!cmd) continue;
    const c = await connectMcp(/^https?:\/\//.test(cmd) ? { url: cmd } : { command: cmd, args });
    connections.push(c);
    tools.push(...c.tools);
  }
  return { tools, close: async () => void (await Promise.all(connections.map((c) => c.close()))) };
}
