import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActionExecutor } from '../core/executor.js';
import { defineTool, toolParameters } from '../core/tool.js';
import { connectMcp } from './client.js';
import { mcpServerFor, puyuMcpTools } from './server.js';

const signal = new AbortController().signal;

describe('MCP', () => {
  it("our client sees our server's tools (in memory) and runs them through the executor", async () => {
    const failing = defineTool({
      name: 'fails',
      description: 'always fails',
      input: z.object({}),
      run: () => {
        throw new Error('nope');
      },
    });
    const server = mcpServerFor([...(await puyuMcpTools()), failing]);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    const mcp = await connectMcp({ transport: a }, { prefix: 'mcp_' });
    try {
      expect(mcp.tools.map((t) => t.name)).toEqual(['mcp_calculator', 'mcp_fails']);
      expect(toolParameters(mcp.tools[0] as never)).toEqual({
        type: 'object',
        properties: { expression: { type: 'string' } },
        required: ['expression'],
      });
      const ex = new ActionExecutor(mcp.tools);
      const [ok, badArgs, failed] = await ex.execute([
        { id: '1', name: 'mcp_calculator', arguments: { expression: '(2+3)*4' } },
        { id: '2', name: 'mcp_calculator', arguments: { expression: 5 } },
        { id: '3', name: 'mcp_fails', arguments: {} },
      ]);
      expect(ok).toMatchObject({ ok: true, content: '{"result": 20}' });
      expect(badArgs).toMatchObject({ ok: false, content: /invalid arguments/ });
      expect(failed).toMatchObject({ ok: false, content: /nope/ });
    } finally {
      await mcp.close();
    }
  });

  it('puyu agent mcp-serve over stdio: a real child process with calculator and local search', async () => {
    const docs = mkdtempSync(join(tmpdir(), 'puyu-mcp-docs-'));
    writeFileSync(join(docs, 'a.md'), '# Rivers\n\nThe Yangtze is the longest river in Asia.');
    const mcp = await connectMcp({
      command: process.execPath,
      args: ['--import', 'tsx', '--conditions=source', join(__dirname, 'stdioMain.ts'), docs],
      cwd: join(__dirname, '../../../..'),
    });
    try {
      expect(mcp.tools.map((t) => t.name).sort()).toEqual(['calculator', 'search']);
      const search = mcp.tools.find((t) => t.name === 'search');
      expect(await search?.run({ query: 'longest river' }, { signal })).toMatch(/Yangtze/);
      const calc = mcp.tools.find((t) => t.name === 'calculator');
      await expect(calc?.run({ expression: '1/0' }, { signal })).rejects.toThrow(/division by zero/);
    } finally {
      await mcp.close();
    }
  }, 60_000);

  it('a server that cannot start is a coded error', async () => {
    await expect(connectMcp({ command: '/nonexistent/mcp-server' })).rejects.toMatchObject({ code: 'AGENT_MCP_FAILED' });
  });
});
