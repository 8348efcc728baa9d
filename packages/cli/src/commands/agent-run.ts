import { createInterface } from 'node:readline';
import type { AgentEvent, FinalState, SearchEvent } from '@puyu/agent';

/**
 * The actions of `puyu agent …` and `puyu search`, loaded only when one runs (so `puyu --help`
 * does not load @puyu/agent). Progress goes to stderr, the answer (or --json) to stdout.
 */
export interface AgentCliOptions {
  model: string;
  protocol?: 'internlm2' | 'openai' | 'react';
  tools: string;
  mcp: string[];
  docs?: string;
  searxng?: string;
  braveKey?: string;
  bingKey?: string;
  duckduckgo?: boolean;
  system?: string;
  maxIterations: number;
  maxTokens: number;
  apiKey?: string;
  json?: boolean;
  stream?: boolean;
}

export interface SearchCliOptions {
  model: string;
  docs?: string;
  searxng?: string;
  braveKey?: string;
  bingKey?: string;
  duckduckgo?: boolean;
  maxNodes: number;
  rounds: number;
  concurrency: number;
  apiKey?: string;
  json?: boolean;
}

const searchSetup = (o: { docs?: string; searxng?: string; braveKey?: string; bingKey?: string; duckduckgo?: boolean }) => ({
  docs: o.docs,
  searxng: o.searxng,
  braveKey: o.braveKey ?? process.env.BRAVE_API_KEY,
  bingKey: o.bingKey ?? process.env.BING_API_KEY,
  duckduckgo: o.duckduckgo,
});

async function openAgent(o: AgentCliOptions) {
  const a = await import('@puyu/agent');
  const opened = await a.openAgentModel(o.model, { apiKey: o.apiKey ?? process.env.OPENAI_API_KEY, stream: o.stream });
  const names = o.tools
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const tools = await a.buildTools(names, { ...searchSetup(o), mcp: o.mcp }).catch(async (e: unknown) => {
    await opened.close();
    throw e;
  });
  const agent = new a.Agent({
    model: opened.model,
    protocol: a.chooseProtocol({ model: opened.name, api: opened.api, explicit: o.protocol }),
    tools: tools.tools,
    systemPrompt: o.system,
    maxIterations: o.maxIterations,
    params: { maxTokens: o.maxTokens, temperature: 0 },
  });
  return { a, agent, close: async () => Promise.all([tools.close(), opened.close()]) };
}

function printEvent(e: AgentEvent): void {
  if (e.type === 'text') process.stderr.write(e.text);
  else if (e.type === 'tool_call') process.stderr.write(`→ ${e.call.name} ${JSON.stringify(e.call.arguments)}\n`);
  else if (e.type === 'tool_result') process.stderr.write(`← ${e.result.ok ? '' : '(error) '}${e.result.content.slice(0, 500)}\n`);
  else if (e.type === 'protocol_error') process.stderr.write(`! unreadable tool call: ${e.issue.message}\n`);
}

async function endState(state: FinalState): Promise<void> {
  if (state.status === 'answered') return;
  const { AgentError } = await import('@puyu/agent');
  if (state.status === 'error' && state.error) throw new AgentError('AGENT_MODEL_FAILED', state.error.message);
  throw new AgentError(
    'AGENT_NO_ANSWER',
    `The agent ended without an answer (${state.status} after ${state.iterations} turns); raise --max-iterations or try another protocol.`,
  );
}

export async function agentRun(task: string, o: AgentCliOptions): Promise<void> {
  const { agent, close } = await openAgent(o);
  try {
    const state = await agent.run(task, { onEvent: o.json ? undefined : printEvent });
    if (o.json) process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
    else if (state.answer) process.stdout.write(`${state.answer}\n`);
    await endState(state);
  } finally {
    await close();
  }
}

export async function agentChat(o: AgentCliOptions): Promise<void> {
  const { agent, close } = await openAgent(o);
  const memory = agent.newMemory();
  const rl = createInterface({ input: process.stdin, terminal: false });
  process.stderr.write('puyu agent chat: one message per line; end with Ctrl-D.\n> ');
  try {
    for await (const line of rl) {
      if (line.trim()) {
        const state = await agent.run(line, { memory, onEvent: printEvent });
        process.stdout.write(`${state.answer || `(${state.status})`}\n`);
      }
      process.stderr.write('> ');
    }
  } finally {
    await close();
  }
}

function printSearchEvent(e: SearchEvent): void {
  if (e.type === 'plan_error') process.stderr.write(`plan attempt ${e.attempt} unreadable: ${e.error}\n`);
  else if (e.type === 'plan') process.stderr.write(`plan: ${e.graph.nodes.map((n) => `${n.id}: ${n.question}`).join(' | ')}\n`);
  else if (e.type === 'node_start') process.stderr.write(`… ${e.node} searching\n`);
  else if (e.type === 'node_answer') process.stderr.write(`✓ ${e.node} (${e.sources.length} sources)\n`);
  else if (e.type === 'node_error') process.stderr.write(`✗ ${e.node}: ${e.error}\n`);
}

export async function searchRun(question: string, o: SearchCliOptions): Promise<void> {
  const a = await import('@puyu/agent');
  if (!question.trim()) throw new a.AgentError('AGENT_BAD_INPUT', 'The question is empty; ask something.');
  const backend = await a.openSearch(searchSetup(o));
  if (!backend)
    throw new a.AgentError(
      'AGENT_BAD_INPUT',
      'puyu search needs --docs DIR or a web provider (--searxng URL, --brave-key, --bing-key, --duckduckgo).',
    );
  const opened = await a.openAgentModel(o.model, { apiKey: o.apiKey ?? process.env.OPENAI_API_KEY });
  try {
    const result = await a.solve(
      question,
      { model: opened.model, ...backend, maxNodes: o.maxNodes, rounds: o.rounds, concurrency: o.concurrency },
      o.json ? undefined : printSearchEvent,
    );
    if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      process.stdout.write(`${result.answer}\n`);
      if (result.references.length) process.stdout.write(`\n${result.references.map((r) => `[${r.id}] ${r.title} ${r.url}`).join('\n')}\n`);
    }
  } finally {
    await opened.close();
  }
}
