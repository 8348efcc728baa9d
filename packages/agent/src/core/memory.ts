import type { AgentMessage } from './types.js';

/** Rough token count: ~4 characters per token for Latin text, 1 per CJK character. */
export function approxTokens(text: string): number {
  let cjk = 0;
  for (const ch of text) if (ch.charCodeAt(0) > 0x2e80) cjk++;
  return Math.ceil((text.length - cjk) / 4) + cjk;
}

export interface MemoryOptions {
  /** Most tokens the history may take (system turns included). Default: unlimited. */
  tokenBudget?: number;
  /** Token counter (default approxTokens; pass a real tokenizer's count for exactness). */
  countTokens?: (text: string) => number;
}

function messageTokens(m: AgentMessage, count: (t: string) => number): number {
  let n = count(m.content) + 4; // role markers
  if (m.role === 'assistant') for (const c of m.toolCalls ?? []) n += count(c.name) + count(JSON.stringify(c.arguments ?? {}));
  return n;
}

/**
 * One session's history. `messages()` returns what fits the token budget: every system turn,
 * then the newest turns that fit, dropped from the oldest in whole groups (an assistant turn
 * with calls and the tool results answering it leave together, since a tool result without its
 * call is rejected by OpenAI servers and meaningless to a model). The full history is kept.
 */
export class Memory {
  private readonly all: AgentMessage[] = [];
  constructor(private readonly opts: MemoryOptions = {}) {}

  add(...messages: AgentMessage[]): void {
    this.all.push(...messages);
  }

  /** Everything ever added, budget ignored. */
  history(): AgentMessage[] {
    return [...this.all];
  }

  clear(): void {
    this.all.length = 0;
  }

  /** The window sent to the model: system turns + the newest groups within the budget. */
  messages(): AgentMessage[] {
    const budget = this.opts.tokenBudget;
    if (budget === undefined) return [...this.all];
    const count = this.opts.countTokens ?? approxTokens;
    const system = this.all.filter((m) => m.role === 'system');
    let used = system.reduce((n, m) => n + messageTokens(m, count), 0);
    const groups = groupTurns(this.all.filter((m) => m.role !== 'system'));
    const kept: AgentMessage[][] = [];
    for (let i = groups.length - 1; i >= 0; i--) {
      const g = groups[i] as AgentMessage[];
      const cost = g.reduce((n, m) => n + messageTokens(m, count), 0);
      // The newest group always stays: a model with no question cannot answer anything.
      if (kept.length > 0 && used + cost > budget) break;
      used += cost;
      kept.unshift(g);
    }
    return [...system, ...kept.flat()];
  }
}

/** Splits a history into groups that must stay together: a tool-calling turn and its results. */
function groupTurns(messages: AgentMessage[]): AgentMessage[][] {
  const groups: AgentMessage[][] = [];
  for (const m of messages) {
    const last = groups.at(-1);
    if (m.role === 'tool' && last) last.push(m);
    else groups.push([m]);
  }
  return groups;
}

/** Memories by session id, so one agent can hold many conversations (a server's chat sessions). */
export class SessionMemory {
  private readonly sessions = new Map<string, Memory>();
  constructor(private readonly opts: MemoryOptions = {}) {}

  get(sessionId: string): Memory {
    let m = this.sessions.get(sessionId);
    if (!m) {
      m = new Memory(this.opts);
      this.sessions.set(sessionId, m);
    }
    return m;
  }

  delete(sessionId: string): boolean {
    return this.sessions.delete(sessionId);
  }

  ids(): string[] {
    return [...this.sessions.keys()];
  }
}
