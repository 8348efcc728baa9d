import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectMcp } from '@puyu/agent';
import { type PeerRequest, startOpenAIPeer } from '@puyu/testing';
import { describe, expect, it } from 'vitest';

// Drives the real `puyu` binary (dist/ built by the suite's global setup) against a loopback
// OpenAI peer whose answers are scripted per request.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');

function puyu(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** An OpenAI chat answer carrying tool_calls (the peer sends any body given with a status). */
const toolCallReply = (name: string, args: unknown) => ({
  status: 200,
  body: {
    id: 'x',
    object: 'chat.completion',
    model: 'm',
    choices: [
      {
        index: 0,
        finish_reason: 'tool_calls',
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name, arguments: JSON.stringify(args) } }],
        },
      },
    ],
  },
});

describe('puyu agent / puyu search', () => {
  it('agent run: the model calls the calculator, gets its result, answers', async () => {
    const peer = await startOpenAIPeer((r: PeerRequest) => {
      const messages = r.body.messages as { role: string; content: string }[];
      const tool = messages.find((m) => m.role === 'tool');
      return tool ? `The answer is ${JSON.parse(tool.content).result}.` : toolCallReply('calculator', { expression: '(2+3)*7' });
    });
    try {
      const r = await puyu(['agent', 'run', 'What is (2+3)*7?', '--model', `${peer.url}@m`, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const state = JSON.parse(r.stdout);
      expect(state).toMatchObject({ status: 'answered', answer: 'The answer is 35.' });
      expect(state.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
      const tools = (peer.requests[0]?.body.tools ?? []) as { function: { name: string } }[];
      expect(tools[0]?.function.name).toBe('calculator');
    } finally {
      await peer.close();
    }
  });

  it('agent run that never answers exits 2 with AGENT_NO_ANSWER', async () => {
    const peer = await startOpenAIPeer(() => toolCallReply('calculator', { expression: '1+1' }));
    try {
      const r = await puyu(['agent', 'run', 'loop', '--model', `${peer.url}@m`, '--max-iterations', '2']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\[AGENT_NO_ANSWER\] The agent ended without an answer \(max_iterations after 2 turns\)/);
    } finally {
      await peer.close();
    }
  });

  it('search --json prints {answer, references, graph} from a local folder', async () => {
    const docs = mkdtempSync(join(tmpdir(), 'puyu-search-cli-'));
    writeFileSync(join(docs, 'port.md'), '# Brennholt\n\nBrennholt is the largest port of Astrel.');
    writeFileSync(join(docs, 'tea.md'), '# Tea\n\nMountain tea grows in the south.');
    const peer = await startOpenAIPeer((r: PeerRequest) => {
      const messages = r.body.messages as { role: string; content: string }[];
      const system = messages.find((m) => m.role === 'system')?.content ?? '';
      if (system.startsWith('You answer one research question')) return 'Brennholt is the largest port of Astrel. [[1]]';
      if (system.startsWith('Write the final answer')) return 'Brennholt is the largest port of Astrel. [[1]]';
      return '{"nodes": [{"id": "q1", "question": "largest port of Astrel"}], "edges": []}';
    });
    try {
      const r = await puyu(['search', 'Which is the largest port of Astrel?', '--model', `${peer.url}@m`, '--docs', docs, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.answer).toBe('Brennholt is the largest port of Astrel. [[1]]');
      expect(out.references).toEqual([{ id: 1, url: expect.stringMatching(/port\.md$/), title: 'Brennholt' }]);
      expect(out.graph.nodes).toMatchObject([{ id: 'q1', status: 'done' }]);
    } finally {
      await peer.close();
    }
  });

  it('agent mcp-serve speaks MCP over stdio', async () => {
    const mcp = await connectMcp({ command: process.execPath, args: [BIN, 'agent', 'mcp-serve'], cwd: ROOT });
    try {
      expect(mcp.tools.map((t) => t.name)).toEqual(['calculator']);
      expect(await mcp.tools[0]?.run({ expression: '6*7' }, { signal: new AbortController().signal })).toBe('{"result": 42}');
    } finally {
      await mcp.close();
    }
  });
});
