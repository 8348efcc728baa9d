import { fork } from 'node:child_process';
import { EngineError } from '@puyu/core';

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
}

export interface NativeJobResult {
  /** The last message the child sent (conventionally its result). */
  result: unknown;
}

/**
 * Runs a module in a child Node process. ggml reports misuse with GGML_ASSERT →
 * abort(), which would take the whole CLI (or a server) down with it; in a child the
 * abort becomes a clean EngineError carrying the child's last stderr lines.
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
    child.on('message', (m) => {
      result = m;
      opts.onMessage?.(m);
    });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new EngineError('NATIVE_JOB_SPAWN_FAILED', `could not start ${modulePath}: ${e.message}`, { cause: e }));
    });
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (partial.trim()) tail.push(partial);
      if (code === 0) return resolve({ result });
      const last = tail.join('\n') || '(no output)';
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const hint = signal === 'SIGABRT' ? ' ggml aborted (usually a shape mismatch or an arena too small); its message is above.' : '';
      reject(new EngineError('NATIVE_JOB_FAILED', `native job ${how}.${hint}\n${last}`, { details: { code, signal, tail } }));
    });
  });
}
