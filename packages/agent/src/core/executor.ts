import { isPuyuError } from '@puyu/core';
import { resultText, type Tool, toolMap } from './tool.js';
import type { AgentToolCall, ToolResult } from './types.js';

export interface ExecutorOptions {
  /** Default per-call wall-clock limit (default 30 s); a tool's own `timeoutMs` wins. */
  timeoutMs?: number;
  /** Most calls running at once (default: all calls of a turn in parallel). */
  concurrency?: number;
}

/**
 * Runs the calls of one assistant turn, in parallel, each under a timeout. Nothing a tool does
 * escapes as an exception: an unknown tool, arguments that fail the schema, a throw or a timeout
 * all become a result with `ok: false` whose text tells the model what went wrong, so the model
 * can correct itself on the next turn (Lagent's ActionExecutor returns ActionReturn errors the
 * same way). Results come back in call order.
 */
export class ActionExecutor {
  readonly tools: Map<string, Tool>;
  private readonly timeoutMs: number;
  private readonly concurrency: number;

  constructor(tools: readonly Tool[], opts: ExecutorOptions = {}) {
    this.tools = toolMap(tools);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.concurrency = Math.max(1, opts.concurrency ?? Number.POSITIVE_INFINITY);
  }

  async execute(calls: readonly AgentToolCall[], signal?: AbortSignal): Promise<ToolResult[]> {
    const results: ToolResult[] = new Array(calls.length);
    let next = 0;
    const worker = async () => {
      while (next < calls.length) {
        const i = next++;
        results[i] = await this.executeOne(calls[i] as AgentToolCall, signal);
      }
    };
    const width = Math.min(this.concurrency, calls.length);
    await Promise.all(Array.from({ length: width }, worker));
    return results;
  }

  async executeOne(call: AgentToolCall, signal?: AbortSignal): Promise<ToolResult> {
    const startedAt = Date.now();
    const done = (ok: boolean, content: string, value?: unknown): ToolResult => ({
      callId: call.id,
      name: call.name,
      ok,
      content,
      value,
      durationMs: Date.now() - startedAt,
      startedAt,
    });
    const tool = this.tools.get(call.name);
    if (!tool) {
      const names = [...this.tools.keys()].join(', ') || 'none';
      return done(false, `Error: there is no tool named ${JSON.stringify(call.name)}. Available tools: ${names}.`);
    }
    const parsed = tool.input.safeParse(call.arguments);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
      return done(false, `Error: invalid arguments for ${tool.name}: ${issues}. Call it again with arguments that fit its parameters.`);
    }
    const timeoutMs = tool.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new Error('timeout'));
        reject(new ToolTimeout(timeoutMs));
      }, timeoutMs);
    });
    const aborted = new Promise<never>((_, reject) => {
      if (signal?.aborted) reject(new Error('aborted'));
      signal?.addEventListener('abort', () => reject(new Error('the run was stopped')), { once: true });
    });
    aborted.catch(() => {});
    timeout.catch(() => {});
    try {
      const value = await Promise.race([
        Promise.resolve().then(() => tool.run(parsed.data, { signal: controller.signal })),
        timeout,
        aborted,
      ]);
      return done(true, resultText(value), value);
    } catch (e) {
      if (e instanceof ToolTimeout) return done(false, `Error: ${tool.name} did not finish within ${timeoutMs} ms and was stopped.`);
      return done(false, `Error: ${tool.name} failed: ${errorText(e)}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

class ToolTimeout extends Error {
  constructor(readonly ms: number) {
    super(`timeout after ${ms} ms`);
  }
}

/** A tool's failure as one line for the model: a coded error keeps its code, anything else its message. */
export function errorText(e: unknown): string {
  if (isPuyuError(e)) return `[${e.code}] ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
