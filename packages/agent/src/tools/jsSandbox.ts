import { z } from 'zod';
import { defineTool } from '../core/tool.js';

export interface JsRunResult {
  status: 'ok' | 'error' | 'timeout' | 'memory';
  /** The value of the last expression, as JSON-ish text. */
  value?: string;
  /** What console.log printed. */
  output: string;
  error?: string;
  durationMs: number;
}

export interface JsSandboxOptions {
  timeoutMs?: number;
  memoryMb?: number;
}

/**
 * Runs model-written JavaScript in QuickJS compiled to WebAssembly (quickjs-emscripten): a
 * separate engine with its own heap, so there is no `require`, no `process`, no `fetch` and no
 * file system to reach, only the ECMAScript built-ins plus a `console.log` we provide. CPU time is
 * bounded by an interrupt handler with a deadline, memory by the runtime's allocation limit, and
 * every run gets a fresh runtime that is disposed afterwards.
 */
export async function runJavaScriptSandboxed(code: string, opts: JsSandboxOptions = {}): Promise<JsRunResult> {
  const { getQuickJS, shouldInterruptAfterDeadline } = await import('quickjs-emscripten');
  const QuickJS = await getQuickJS();
  const timeoutMs = opts.timeoutMs ?? 5000;
  const started = Date.now();
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit((opts.memoryMb ?? 64) * 1024 * 1024);
  runtime.setMaxStackSize(1024 * 1024);
  const deadline = started + timeoutMs;
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(deadline));
  const vm = runtime.newContext();
  const lines: string[] = [];
  let outputSize = 0;
  try {
    const log = vm.newFunction('log', (...args) => {
      const line = args.map((a) => (vm.typeof(a) === 'string' ? vm.getString(a) : JSON.stringify(vm.dump(a)))).join(' ');
      if (outputSize < 32 * 1024) lines.push(line);
      outputSize += line.length;
    });
    const consoleObj = vm.newObject();
    vm.setProp(consoleObj, 'log', log);
    vm.setProp(vm.global, 'console', consoleObj);
    log.dispose();
    consoleObj.dispose();
    const result = vm.evalCode(code, 'program.js');
    runtime.executePendingJobs();
    const output = () => lines.join('\n');
    const fail = (errHandle: { dispose(): void }) => {
      const err = vm.dump(errHandle as never) as { name?: string; message?: string } | string | null;
      errHandle.dispose();
      // QuickJS throws null (or an empty value) when an allocation fails at the limit.
      const message =
        err === null || err === undefined || err === ''
          ? 'InternalError: out of memory'
          : typeof err === 'string'
            ? err
            : `${err.name ?? 'Error'}: ${err.message ?? ''}`;
      const status: JsRunResult['status'] =
        Date.now() >= deadline || /interrupted/i.test(message)
          ? 'timeout'
          : /out of memory|too long|stack overflow/i.test(message)
            ? 'memory'
            : 'error';
      return { status, output: output(), error: message, durationMs: Date.now() - started };
    };
    if (result.error) return fail(result.error);
    let handle = result.value;
    const promise = vm.getPromiseState(handle);
    if (promise.type !== 'fulfilled' || promise.notAPromise !== true) {
      handle.dispose();
      if (promise.type === 'rejected') return fail(promise.error);
      if (promise.type === 'pending')
        return { status: 'ok', output: output(), value: '"<pending promise>"', durationMs: Date.now() - started };
      handle = promise.value;
    }
    const value = vm.dump(handle);
    handle.dispose();
    return {
      status: 'ok',
      output: output(),
      value: value === undefined ? undefined : JSON.stringify(value),
      durationMs: Date.now() - started,
    };
  } catch (e) {
    // A host-side failure of the engine (its wasm heap exhausted, a handle misuse): never a crash.
    return {
      status: /memory/i.test((e as Error).message) ? 'memory' : 'error',
      output: lines.join('\n'),
      error: (e as Error).message,
      durationMs: Date.now() - started,
    };
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}

export function javascriptTool(opts: JsSandboxOptions = {}) {
  return defineTool({
    name: 'JavaScriptInterpreter',
    description:
      'Run JavaScript (ECMAScript only: no require, no fetch, no files) and return what console.log prints and the value of the last expression.',
    input: z.object({ code: z.string().describe('JavaScript code to run') }),
    run: async ({ code }) => {
      const r = await runJavaScriptSandboxed(code, opts);
      const parts = [r.output];
      if (r.status === 'ok' && r.value !== undefined) parts.push(`=> ${r.value}`);
      if (r.status === 'timeout') parts.push(`TimeoutError: the code ran longer than ${opts.timeoutMs ?? 5000} ms and was stopped.`);
      else if (r.error) parts.push(r.error);
      return parts.filter(Boolean).join('\n') || '(no output)';
    },
  });
}
