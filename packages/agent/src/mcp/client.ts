import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { z } from 'zod';
import type { JsonSchema, Tool } from '../core/tool.js';
import { AgentError } from '../errors.js';

export type McpServerSpec =
  | { command: string; args?: string[]; env?: Record<string, string>; cwd?: string }
  | { url: string }
  | { transport: Transport };

export interface McpConnection {
  /** The server's tools as agent tools (names prefixed when `prefix` was given). */
  tools: Tool[];
  close(): Promise<void>;
}

/**
 * Connects to an MCP server (a command over stdio, a streamable-HTTP URL, or any transport) and
 * turns each of its tools into an agent tool: the server's input schema is what the model sees,
 * and arguments are checked against it (through zod's JSON Schema reader) before the call.
 * A result the server marks `isError` becomes a failed tool result for the model.
 */
export async function connectMcp(spec: McpServerSpec, opts: { prefix?: string; name?: string } = {}): Promise<McpConnection> {
  // The HTTP transport is loaded only when asked for: it pulls in an SSE parser that stdio use never needs.
  const transport: Transport =
    'transport' in spec
      ? spec.transport
      : 'url' in spec
        ? new (await import('@modelcontextprotocol/sdk/client/streamableHttp.js')).StreamableHTTPClientTransport(new URL(spec.url))
        : new StdioClientTransport({ command: spec.command, args: spec.args, env: spec.env, cwd: spec.cwd, stderr: 'pipe' });
  const client = new Client({ name: opts.name ?? 'puyu-agent', version: '0.1.0' });
  try {
    await client.connect(transport);
  } catch (e) {
    const what = 'command' in spec ? spec.command : 'url' in spec ? spec.url : 'the transport';
    throw new AgentError('AGENT_MCP_FAILED', `Could not start or reach the MCP server (${what}): ${(e as Error).message}`, { cause: e });
  }
  const listed = await client.listTools();
  const tools = listed.tools.map((t): Tool => {
    const parameters = (t.inputSchema ?? { type: 'object' }) as JsonSchema;
    return {
      name: `${opts.prefix ?? ''}${t.name}`,
      description: t.description ?? t.title ?? t.name,
      input: schemaToZod(parameters),
      parameters,
      run: async (args, ctx) => {
        const result = await client
          .callTool({ name: t.name, arguments: args as Record<string, unknown> }, undefined, { signal: ctx.signal })
          .catch((e: unknown) => {
            throw new AgentError('AGENT_MCP_FAILED', `The MCP call ${t.name} failed: ${(e as Error).message}`, { cause: e });
          });
        const text = mcpContentText(result.content);
        if (result.isError) throw new Error(text || `${t.name} reported an error`);
        return result.structuredContent && !text ? result.structuredContent : text;
      },
    };
  });
  return { tools, close: () => client.close() };
}

/** Text parts joined; other parts (images, resources) named so the model knows they exist. */
function mcpContentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .map((c: { type?: string; text?: string; uri?: string }) =>
      c.type === 'text' ? (c.text ?? '') : `[${c.type}${c.uri ? ` ${c.uri}` : ''}]`,
    )
    .join('\n');
}

/** A JSON Schema as a zod validator; a schema zod cannot read is accepted as any object. */
function schemaToZod(schema: JsonSchema): z.ZodType<unknown> {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]) as z.ZodType<unknown>;
  } catch {
    return z.record(z.string(), z.unknown());
  }
}
