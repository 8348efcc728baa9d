import { fork } from 'node:child_process';
import { EngineError, type PuyuError } from '@puyu/core';
import { isJobOutcome, type PuyuErrorClass, reviveError } from './jobErrors.js';

export interface NativeJobOptions {
  /** Extra environment for the child (merged over process.env). */
  env?: Record<string, string>;
  /** Lines of the child's stderr kept for the error message. */
  tailLines?: number;
  /** Forward the child's stderr to ours as it arrives (progress bars). */
  inheritStderr?: boolean;
  /** Kill the child after this many ms. */
  timeoutMs?: number;
  /** Receives each message the child sends with process.send(). */
  onMessage?: (msg: unknown) => void;
  /** Error classes of the job's own package (beyond @puyu/core's) to rebuild as themselves. */
  errorClasses?: readonly PuyuErrorClass[];
  /** Code for a job error that is not a PuyuError (default NATIVE_JOB_ERROR). */
  errorCode?: string;
  /**
   * How long to wait, once the child has exited, for its stderr and IPC channel to
   * drain (default 5000 ms): a grandchild holding them open must not hang the parent.
   */
  drainMs?: number;
}

export interface NativeJobResult {
  /** The job's result (serveNativeJob's value), or else the last message the child sent. */
  result: unknown;
}

/**
 * Runs a module in a child Node process. ggml reports misuse with GGML_ASSERT →
 * abort(), which would take the whole CLI (or a server) down with it; in a child the
 * abort becomes a clean EngineError carrying the child's last stderr lines. An error
 * the job throws (see serveNativeJob) is rethrown here as the same class and code.
 *
 * It settles on 'close', not 'exit': 'exit' fires as soon as the process ends, while its
 * stderr (where the GGML_ASSERT line is) and IPC channel (the result) may still hold
 * unread data; 'close' fires once both are drained.
 */
export function runNativeJob(modulePath: string, args: string[] = [], opts: NativeJobOptions = {}): Promise<NativeJobResult> {
  const keep = opts.tailLines ?? 20;
  return new Promise((resolve, reject) => {
    const child = fork(modulePath, args, {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      execArgv: process.execArgv.filter((a) => !a.startsWith('--inspect')),
    });
    const tail: string[] = [];
    let partial = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (opts.inheritStderr) process.stderr.write(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) tail.push(l);
      while (tail.length > keep) tail.shift();
    });
    let result: unknown;
    let jobError: PuyuError | undefined;
    child.on('message', (m) => {
      opts.onMessage?.(m);
      if (!isJobOutcome(m)) result = m;
      else if (m.ok) result = m.value;
      else jobError = reviveError(m.error, opts.errorClasses, opts.errorCode);
    });
    let settled = false;
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    let drain: NodeJS.Timeout | undefined;
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drain);
      if (partial.trim()) tail.push(partial);
      // a handled error the job reported explains more than its exit status
      if (jobError) return reject(jobError);
      if (code === 0) return resolve({ result });
      const last = tail.join('\n') || '(no output)';
      const how = timedOut
        ? `was killed after its ${opts.timeoutMs} ms timeout`
        : signal
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
      const hint = signal === 'SIGABRT' ? ' ggml aborted (usually a shape mismatch or an arena too small); its message is above.' : '';
      reject(new EngineError('NATIVE_JOB_FAILED', `native job ${how}.${hint}\n${last}`, { details: { code, signal, tail, timedOut } }));
    };
    child.on('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drain);
      reject(new EngineError('NATIVE_JOB_SPAWN_FAILED', `could not start ${modulePath}: ${e.message}`, { cause: e }));
    });
    child.on('exit', (code, signal) => {
      drain = setTimeout(() => settle(code, signal), opts.drainMs ?? 5000);
    });
    child.on('close', settle);
  });
}
