import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { errorText } from '../core/executor.js';
import { resultText, type Tool, toolMap, toolParameters } from '../core/tool.js';
import { LocalSearch, searchTool } from '../search/localSearch.js';
import { calculatorTool } from '../tools/calculator.js';

/**
 * Serves agent tools as an MCP server: tools/list gives each tool's JSON Schema (from its zod
 * input), tools/call validates the arguments with the same zod schema and runs the tool. A
 * failure is an `isError` result, never a transport error, as the MCP spec asks of tool errors.
 */
export function mcpServerFor(tools: readonly Tool[], info = { name: 'puyu', version: '0.1.0' }): Server {
  const byName = toolMap(tools);
  const server = new Server(info, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((t) => ({ name: t.name, description: t.description, inputSchema: toolParameters(t) as { type: 'object' } })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const tool = byName.get(req.params.name);
    if (!tool) return { isError: true, content: [{ type: 'text', text: `No tool named ${req.params.name}.` }] };
    const parsed = tool.input.safeParse(req.params.arguments ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
      return { isError: true, content: [{ type: 'text', text: `Invalid arguments: ${issues}` }] };
    }
    try {
      const value = await tool.run(parsed.data, { signal: extra.signal });
      return { content: [{ type: 'text', text: resultText(value) }] };
    } catch (e) {
      return { isError: true, content: [{ type: 'text', text: errorText(e) }] };
    }
  });
  return server;
}

/** Puyu's own tools: the calculator, and local search over `docs` when given. */
export async function puyuMcpTools(opts: { docs?: string } = {}): Promise<Tool[]> {
  const tools: Tool[] = [calculatorTool as Tool];
  if (opts.docs) tools.push(searchTool(await LocalSearch.fromFolder(opts.docs)) as Tool);
  return tools;
}

/** `puyu agent mcp-serve`: Puyu's tools over stdio until the client hangs up. */
export async function serveMcpStdio(opts: { docs?: string; transport?: Transport } = {}): Promise<Server> {
  const server = mcpServerFor(await puyuMcpTools(opts));
  await server.connect(opts.transport ?? new StdioServerTransport());
  return server;
}
