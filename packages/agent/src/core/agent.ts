import type { GenParams } from '@puyu/client';
import { z } from 'zod';
import type { Protocol } from '../protocols/protocol.js';
import { ActionExecutor, type ExecutorOptions, errorText } from './executor.js';
import { Memory } from './memory.js';
import type { AgentModel } from './model.js';
import { recoverTextCalls } from './recoverCalls.js';
import { defineTool, type Tool } from './tool.js';
import type { AgentEvent, AgentMessage, AgentToolCall, FinalState, ToolResult } from './types.js';

/**
 * Hooks see (and may change) what passes between the model and the tools. A `beforeTool` that
 * returns a ToolResult answers the call itself (a cache, a guard refusing a call); the tool is
 * then not run.
 */
export interface AgentHooks {
  beforeModel?(messages: AgentMessage[]): AgentMessage[] | undefined | Promise<AgentMessage[] | undefined>;
  afterModel?(turn: { content: string; calls: AgentToolCall[] }): void | Promise<void>;
  beforeTool?(call: AgentToolCall): AgentToolCall | ToolResult | undefined | Promise<AgentToolCall | ToolResult | undefined>;
  afterTool?(result: ToolResult): ToolResult | undefined | Promise<ToolResult | undefined>;
}

export interface AgentOptions {
  name?: string;
  model: AgentModel;
  protocol: Protocol;
  tools?: Tool[];
  /** Put first in every new memory. */
  systemPrompt?: string;
  /** Most model turns per run (default 8); a run that reaches it ends with status `max_iterations`. */
  maxIterations?: number;
  params?: GenParams;
  executor?: ExecutorOptions;
  hooks?: AgentHooks;
  /** Read a bare `{"name": tool, "parameters": {...}}` in the text as a call (default true; see recoverTextCalls). */
  recoverTextCalls?: boolean;
}

export interface RunOptions {
  /** The conversation to continue (default: a fresh one per run). */
  memory?: Memory;
  signal?: AbortSignal;
}

/**
 * The agent loop (Lagent's Agent + AgentExecutor, LangGraph's prebuilt ReAct agent): ask the
 * model through a protocol, run the calls it makes in parallel, give back the results, repeat
 * until it answers without calling a tool, or the iteration limit, an abort or a model failure
 * ends the run. Every run ends with exactly one `final` event carrying the state.
 */
export class Agent {
  readonly name: string;
  readonly executor: ActionExecutor;
  constructor(readonly opts: AgentOptions) {
    this.name = opts.name ?? 'agent';
    this.executor = new ActionExecutor(opts.tools ?? [], opts.executor);
  }

  newMemory(): Memory {
    const m = new Memory();
    if (this.opts.systemPrompt) m.add({ role: 'system', content: this.opts.systemPrompt });
    return m;
  }

  /** Runs to the end and returns the final state (events go to `onEvent`). */
  async run(input: string, opts: RunOptions & { onEvent?: (e: AgentEvent) => void } = {}): Promise<FinalState> {
    let final: FinalState | undefined;
    for await (const e of this.stream(input, opts)) {
      opts.onEvent?.(e);
      if (e.type === 'final') final = e.state;
    }
    return final as FinalState;
  }

  /** Runs, yielding events as they happen; the last event is always `final`. */
  async *stream(input: string, opts: RunOptions = {}): AsyncGenerator<AgentEvent, void, undefined> {
    const memory = opts.memory ?? this.newMemory();
    // A fresh session memory (SessionMemory makes them empty) gets the system prompt too.
    if (this.opts.systemPrompt && memory.history().length === 0) memory.add({ role: 'system', content: this.opts.systemPrompt });
    memory.add({ role: 'user', content: input });
    const max = this.opts.maxIterations ?? 8;
    const agent = this.name;
    const tools = [...this.executor.tools.values()];
    const end = (state: Omit<FinalState, 'messages'>): AgentEvent => ({
      type: 'final',
      agent,
      state: { ...state, messages: memory.history() },
    });
    let answer = '';
    for (let iteration = 1; iteration <= max; iteration++) {
      if (opts.signal?.aborted) {
        yield end({ status: 'aborted', answer, iterations: iteration - 1 });
        return;
      }
      yield { type: 'turn_start', agent, iteration };
      // Text is yielded while the model is still answering: the protocol reports it through
      // onText, and this generator drains that queue until the turn settles.
      const texts: string[] = [];
      let wake: (() => void) | undefined;
      let turn: Awaited<ReturnType<Protocol['turn']>> | undefined;
      let failure: unknown;
      let settled = false;
      const pending = (async () => {
        let messages = memory.messages();
        messages = (await this.opts.hooks?.beforeModel?.(messages)) ?? messages;
        let t = await this.opts.protocol.turn(this.opts.model, messages, tools, {
          params: this.opts.params,
          signal: opts.signal,
          onText: (text) => {
            texts.push(text);
            wake?.();
          },
        });
        if (this.opts.recoverTextCalls !== false) t = recoverTextCalls(t, new Set(this.executor.tools.keys()));
        await this.opts.hooks?.afterModel?.({ content: t.content, calls: t.calls });
        return t;
      })()
        .then(
          (t) => {
            turn = t;
          },
          (e: unknown) => {
            failure = e;
          },
        )
        .finally(() => {
          settled = true;
          wake?.();
        });
      while (!settled || texts.length > 0) {
        if (texts.length === 0) await new Promise<void>((ok) => (wake = ok));
        wake = undefined;
        while (texts.length > 0) yield { type: 'text', agent, text: texts.shift() as string };
      }
      await pending;
      if (!turn) {
        const e = failure;
        const status = opts.signal?.aborted ? 'aborted' : 'error';
        const code = (e as { code?: string }).code ?? 'INTERNAL_ERROR';
        yield end({ status, answer, iterations: iteration, error: { code, message: errorText(e) } });
        return;
      }
      answer = turn.content;
      if (turn.calls.length === 0 && turn.issues.length === 0) {
        memory.add({ role: 'assistant', content: turn.content });
        yield end({ status: 'answered', answer: turn.content.trim(), iterations: iteration });
        return;
      }
      // Unreadable calls stay on the assistant turn with their raw text, and each gets an error
      // result under its id: the model sees what it wrote and why it did not run.
      const issueCalls = turn.issues.map((i, n) => ({
        id: i.callId ?? `invalid_${iteration}_${n}`,
        name: i.name ?? 'invalid_call',
        arguments: i.raw,
      }));
      memory.add({ role: 'assistant', content: turn.content, toolCalls: [...turn.calls, ...issueCalls] });
      for (const [n, issue] of turn.issues.entries()) {
        yield { type: 'protocol_error', agent, issue };
        const c = issueCalls[n] as AgentToolCall;
        memory.add({
          role: 'tool',
          toolCallId: c.id,
          name: c.name,
          content: `Error: your tool call could not be read: ${issue.message} Write the call again in the required format.`,
        });
      }
      for (const call of turn.calls) yield { type: 'tool_call', agent, call };
      const results = await this.runCalls(turn.calls, opts.signal);
      for (const result of results) {
        memory.add({ role: 'tool', toolCallId: result.callId, name: result.name, content: result.content });
        yield { type: 'tool_result', agent, result };
      }
    }
    yield end({ status: 'max_iterations', answer: '', iterations: max });
  }

  private async runCalls(calls: AgentToolCall[], signal?: AbortSignal): Promise<ToolResult[]> {
    const hooks = this.opts.hooks;
    return Promise.all(
      calls.map(async (original) => {
        const before = await hooks?.beforeTool?.(original);
        let result: ToolResult;
        if (before && 'callId' in before) result = before;
        else result = await this.executor.executeOne(before ?? original, signal);
        return (await hooks?.afterTool?.(result)) ?? result;
      }),
    );
  }
}

/**
 * A sub-agent as a tool (Lagent's nested agents, Mastra's agent-as-tool): the parent's model
 * writes a task, the child runs it in a fresh memory with its own tools and limit, and its final
 * answer (or why it has none) is the result. The child's events go to `onEvent`.
 */
export function agentAsTool(child: Agent, def: { name: string; description: string; onEvent?: (e: AgentEvent) => void }): Tool {
  return defineTool({
    name: def.name,
    description: def.description,
    input: z.object({ task: z.string().describe('What the sub-agent should do, in full sentences') }),
    run: async ({ task }, ctx) => {
      const state = await child.run(task, { signal: ctx.signal, onEvent: def.onEvent });
      if (state.status === 'answered') return state.answer;
      throw new Error(`the sub-agent ${child.name} ended with ${state.status}${state.error ? `: ${state.error.message}` : ''}`);
    },
  });
}
