import { spawn, spawnSync } from 'node:child_process';

/** How a contained process is cut off from the network on this machine (checked once, then cached). */
export type NetworkIsolation = 'unshare -n' | 'unshare -rn' | 'none';

let isolation: NetworkIsolation | undefined;

/**
 * `unshare -n` (root) or `unshare -rn` (an unprivileged user namespace) when either can create a
 * network namespace here, else 'none' (callers then rely on their own in-process guard).
 */
export function networkIsolation(): NetworkIsolation {
  if (isolation === undefined) {
    if (spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0) isolation = 'unshare -n';
    else if (spawnSync('unshare', ['-rn', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0) isolation = 'unshare -rn';
    else isolation = 'none';
  }
  return isolation;
}

/** `argv` prefixed with the unshare call that takes its network away, where that works. */
export function withoutNetwork(argv: readonly string[], how: NetworkIsolation = networkIsolation()): string[] {
  return how === 'none' ? [...argv] : ['unshare', how === 'unshare -n' ? '-n' : '-rn', ...argv];
}

export interface ContainedRunOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Characters kept of stdout and of stderr each; the rest is dropped as it arrives. */
  maxOutput: number;
}

export interface ContainedRunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The time limit ran out and the process group was killed. */
  timedOut: boolean;
  durationMs: number;
}

/**
 * Runs `argv` in its own process group with a clean environment, output capped as it arrives, and
 * a wall-clock limit after which the whole group (everything the program started) is SIGKILLed.
 * Rejects only when the program cannot be started (the spawn error, for the caller to explain).
 */
export function runContained(argv: readonly string[], o: ContainedRunOptions): Promise<ContainedRunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: o.cwd,
      detached: true, // its own process group, so a timeout kills everything it started
      stdio: ['ignore', 'pipe', 'pipe'],
      env: o.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < o.maxOutput) stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < o.maxOutput) stderr += d.toString('utf8');
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, o.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: stdout.slice(0, o.maxOutput),
        stderr: stderr.slice(0, o.maxOutput),
        exitCode,
        signal,
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}
