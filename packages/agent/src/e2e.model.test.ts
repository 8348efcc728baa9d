import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { localModelStarter } from '@puyu/client';
import { CITIES, makeToolModel, REPO_ROOT, SYSTEM } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent } from './core/agent.js';
import { openAIStreamingModel } from './core/streamingModel.js';
import { defineTool, type Tool } from './core/tool.js';
import type { AgentEvent, AgentMessage } from './core/types.js';
import { InternLM2Protocol } from './protocols/internlm2.js';
import { OpenAIProtocol } from './protocols/openai.js';
import { openAgentModel } from './setup.js';
import { calculatorTool } from './tools/calculator.js';

// End to end with our own model: `puyu serve` (a local: model through @puyu/client) serves the
// calculator SFT GGUF when this checkout has trained one (runs/sft-calculator, `puyu train sft
// recipes/sft-calculator.json`), else the tiny tool model @puyu/testing trains in seconds (it has
// learnt to call get_weather). The agent loop must complete: the model calls the tool, the tool
// runs, its result goes back, and a final answer follows. The transcript is checked, not the answer.
const CALC_GGUF = join(REPO_ROOT, 'runs/sft-calculator/model-q8_0.gguf');
const useCalculator = existsSync(CALC_GGUF) && process.env.PUYU_AGENT_E2E_MODEL !== 'tool';
console.log(
  useCalculator
    ? `agent e2e: the calculator SFT model ${CALC_GGUF}`
    : `agent e2e: ${CALC_GGUF} not found (or PUYU_AGENT_E2E_MODEL=tool): using @puyu/testing's tiny get_weather model`,
);

const weatherTool = defineTool({
  name: 'get_weather',
  description: 'Get the current weather in a city',
  input: z.object({ location: z.string() }),
  run: ({ location }) => ({ location, temperature: 21, sky: 'clear' }),
});

/** The shape every completed tool-using run must have, whatever the model said. */
function expectValidTranscript(messages: AgentMessage[], toolName: string): void {
  const roles = messages.filter((m) => m.role !== 'system').map((m) => m.role);
  expect(roles[0]).toBe('user');
  const callTurn = messages.find((m) => m.role === 'assistant' && m.toolCalls?.length);
  expect(callTurn, 'the model called a tool').toBeDefined();
  const call = (callTurn as Extract<AgentMessage, { role: 'assistant' }>).toolCalls?.[0];
  expect(call?.name).toBe(toolName);
  const result = messages.find((m) => m.role === 'tool' && m.toolCallId === call?.id);
  expect(result, 'the tool result answers that call').toBeDefined();
  const last = messages.at(-1) as AgentMessage;
  expect(last.role).toBe('assistant');
  expect((last as Extract<AgentMessage, { role: 'assistant' }>).toolCalls ?? []).toEqual([]);
  expect(messages.indexOf(last)).toBeGreaterThan(messages.indexOf(result as AgentMessage));
}

// The calculator model writes a whole call (text, markers, JSON) in ~60 tokens: at 48 a native call
// was cut off and came back as raw text, which looked like a call written without markers.
const MAX_TOKENS = 160;
const QUESTION = useCalculator ? 'What does 24-17 equal?' : `What is the weather in ${CITIES[0]}?`;

describe('agent loop on our served model', () => {
  for (const mode of ['client', 'stream', 'internlm2'] as const) {
    const title = { client: '', stream: ' (streamed over SSE)', internlm2: ' (InternLM2 native protocol over /v1/completions)' }[mode];
    it(`tool call → tool runs → result returns → final answer${title}`, async () => {
      const gguf = useCalculator ? CALC_GGUF : (await makeToolModel()).gguf;
      // Streaming talks to the server's URL directly; the plain path goes through @puyu/client's local: provider.
      const server = mode === 'client' ? undefined : await localModelStarter()(gguf);
      const opened = server
        ? { model: openAIStreamingModel({ baseUrl: server.url, model: server.model }), close: () => server.close() }
        : await openAgentModel(`local:${gguf}`, { timeoutMs: 120_000 });
      try {
        const tool = (useCalculator ? calculatorTool : weatherTool) as Tool;
        const agent = new Agent({
          model: opened.model,
          // puyu serve adds BOS when it tokenizes a completions prompt
          protocol: mode === 'internlm2' ? new InternLM2Protocol({ bosToken: '' }) : new OpenAIProtocol(),
          tools: [tool],
          systemPrompt: useCalculator ? undefined : SYSTEM,
          maxIterations: 4,
          params: { maxTokens: MAX_TOKENS, temperature: 0 },
          // Over SSE and the native protocol the call must come as a call (serve's tool_calls, or
          // the agent's own marker parser), not from the bare-JSON recovery.
          recoverTextCalls: mode === 'client',
        });
        const events: AgentEvent[] = [];
        const state = await agent.run(QUESTION, { onEvent: (e) => events.push(e) });
        console.log(mode, JSON.stringify(state.messages));
        expect(state.status).toBe('answered');
        expectValidTranscript(state.messages, tool.name);
        const types = events.map((e) => e.type);
        expect(types.indexOf('tool_call')).toBeLessThan(types.indexOf('tool_result'));
        expect(types.at(-1)).toBe('final');
      } finally {
        await opened.close();
      }
    }, 300_000);
  }
});
