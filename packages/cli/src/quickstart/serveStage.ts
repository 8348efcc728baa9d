import { readFileSync } from 'node:fs';
import type { AgentEvent } from '@puyu/agent';
import { SERVED_MODEL } from './profile.js';

export interface Serving {
  apiUrl: string;
  studioUrl: string;
  close(): Promise<void>;
}

/** Starts on the preferred port, or on any free one when it is taken (a second quickstart, a busy 8000). */
async function onPortOrAny<T>(port: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(port);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (port !== 0 && (code === 'EADDRINUSE' || code === 'NET_ADDRESS_IN_USE')) return start(0);
    throw e;
  }
}

/** Stage 7: `puyu serve` on the quantized model with the Studio beside it, reading the run folder. */
export async function serveWithStudio(o: {
  model: string;
  runs: string;
  port: number;
  studioPort: number;
  threads: number;
}): Promise<Serving> {
  const { startServer } = await import('@puyu/serve');
  const server = await onPortOrAny(o.port, (port) =>
    startServer({ model: o.model, modelName: SERVED_MODEL, port, sequences: 2, contextSize: 512, threads: o.threads }),
  );
  try {
    const { startStudio } = await import('@puyu/studio');
    const studio = await onPortOrAny(o.studioPort, (port) =>
      startStudio({ runsDir: o.runs, port, endpoints: [`${server.url}/v1`], token: process.env.PUYU_STUDIO_TOKEN }),
    );
    return {
      apiUrl: `${server.url}/v1`,
      studioUrl: studio.openUrl,
      close: async () => {
        await studio.close();
        await server.close();
      },
    };
  } catch (e) {
    await server.close();
    throw e;
  }
}

/** The first single-question held-out dialogue: its system prompt (if any) and question. */
export function agentQuestion(heldout: string): { system?: string; question: string; expected: string } {
  for (const line of readFileSync(heldout, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const d = JSON.parse(line) as {
      lang: string;
      messages: { role: string; content: string }[];
      turns: { result: string }[];
    };
    if (d.lang !== 'en' || d.turns.length !== 1) continue;
    const system = d.messages.find((m) => m.role === 'system')?.content;
    const question = d.messages.find((m) => m.role === 'user')?.content ?? '';
    return { ...(system ? { system } : {}), question, expected: String(d.turns[0]?.result) };
  }
  return { question: 'What is 12.5 * 8?', expected: '100' };
}

export interface AgentOutcome {
  question: string;
  expected: string;
  toolCalls: number;
  answer: string;
  status: string;
}

/** Stage 8: one agent question over the served model, with @puyu/agent's calculator tool. */
export async function askAgent(o: { apiUrl: string; heldout: string }): Promise<AgentOutcome> {
  const a = await import('@puyu/agent');
  const q = agentQuestion(o.heldout);
  const opened = await a.openAgentModel(`${o.apiUrl.replace(/\/v1$/, '')}@${SERVED_MODEL}`, {});
  const tools = await a.buildTools(['calculator'], {});
  let toolCalls = 0;
  const onEvent = (e: AgentEvent) => {
    if (e.type === 'tool_call') {
      toolCalls++;
      process.stderr.write(`  → ${e.call.name} ${JSON.stringify(e.call.arguments)}\n`);
    } else if (e.type === 'tool_result') process.stderr.write(`  ← ${e.result.content.slice(0, 200)}\n`);
  };
  try {
    const agent = new a.Agent({
      model: opened.model,
      protocol: a.chooseProtocol({ model: opened.name, api: opened.api, explicit: 'openai' }),
      tools: tools.tools,
      systemPrompt: q.system,
      maxIterations: 3,
      params: { maxTokens: 64, temperature: 0 },
    });
    process.stderr.write(`  user: ${q.question}\n`);
    const state = await agent.run(q.question, { onEvent });
    const answer = state.answer ?? '';
    process.stderr.write(`  assistant: ${answer}\n  (expected ${q.expected}; ${state.status} after ${state.iterations} turn(s))\n`);
    return { question: q.question, expected: q.expected, toolCalls, answer, status: state.status };
  } finally {
    await Promise.all([tools.close(), opened.close()]);
  }
}
