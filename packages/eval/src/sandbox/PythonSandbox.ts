/**
 * Runs untrusted generated Python, one fresh process per program, as the HumanEval harness does:
 * - a fresh temporary directory as the working directory, removed afterwards;
 * - a wall-clock limit: on expiry the whole process group is killed with SIGKILL;
 * - a CPU-time and an address-space limit set with `resource.setrlimit` in a preamble;
 * - no network: under `unshare -n` (an empty network namespace) when this machine allows it,
 *   and in every case the preamble replaces `socket.socket` / `socket.create_connection` with
 *   functions that raise, so code that only tries the network fails fast even without namespaces;
 * - `python3 -I` (isolated: no user site, no PYTHON* environment) with a minimal environment.
 * A program that fails is a result (`status`), not an exception; `SandboxError` means the sandbox
 * itself could not run (no python3).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ContainedRunResult, networkIsolation as coreNetworkIsolation, runContained, withoutNetwork } from '@puyu/core';
import { SandboxError } from '../types.js';

export type SandboxStatus = 'passed' | 'failed' | 'timeout' | 'memory' | 'network';

export interface SandboxResult {
  status: SandboxStatus;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface SandboxOptions {
  /** Wall-clock limit per program (default 10 s). */
  timeoutMs?: number;
  /** Address-space limit (default 1024 MiB). */
  memoryMb?: number;
  /** Python interpreter (default: /usr/bin/python3 when present, else `python3` on PATH). */
  python?: string;
  /** Use `unshare -n` when available (default true). */
  isolateNetwork?: boolean;
}

const PREAMBLE = (memoryBytes: number, cpuSeconds: number) => `
import resource as _r, socket as _s, sys as _sys
_r.setrlimit(_r.RLIMIT_AS, (${memoryBytes}, ${memoryBytes}))
_r.setrlimit(_r.RLIMIT_CPU, (${cpuSeconds}, ${cpuSeconds}))
_r.setrlimit(_r.RLIMIT_CORE, (0, 0))
def _no_network(*a, **k):
    raise PermissionError("network access is disabled in the puyu sandbox")
_s.socket = _no_network
_s.create_connection = _no_network
_s.socketpair = _no_network
_sys.argv = ["program.py"]
_src = open("program.py", encoding="utf-8").read()
del _r, _s
exec(compile(_src, "program.py", "exec"), {"__name__": "__main__"})
`;

/** How the network is cut off here: core's unshare check, or 'preamble' (the in-process socket guard only). */
export function networkIsolation(): 'unshare -n' | 'unshare -rn' | 'preamble' {
  const how = coreNetworkIsolation();
  return how === 'none' ? 'preamble' : how;
}

export function defaultPython(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function classify(code: number | null, signal: NodeJS.Signals | null, stderr: string, timedOut: boolean): SandboxStatus {
  if (timedOut || signal === 'SIGXCPU') return 'timeout';
  if (code === 0) return 'passed';
  if (/MemoryError/.test(stderr)) return 'memory';
  if (/network access is disabled|Network is unreachable|Temporary failure in name resolution/.test(stderr)) return 'network';
  return 'failed';
}

const MAX_OUTPUT = 64 * 1024;

export async function runPython(program: string, opts: SandboxOptions = {}): Promise<SandboxResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const memoryBytes = (opts.memoryMb ?? 1024) * 1024 * 1024;
  const python = opts.python ?? defaultPython();
  const dir = await mkdtemp(join(tmpdir(), 'puyu-sandbox-'));
  try {
    await writeFile(join(dir, 'program.py'), program, 'utf8');
    await writeFile(join(dir, 'run.py'), PREAMBLE(memoryBytes, Math.max(1, Math.ceil(timeoutMs / 1000) + 1)), 'utf8');
    const cmd = [python, '-I', 'run.py'];
    const argv = opts.isolateNetwork === false ? cmd : withoutNetwork(cmd);
    let r: ContainedRunResult;
    try {
      r = await runContained(argv, {
        cwd: dir,
        env: { PATH: '/usr/bin:/bin', HOME: dir, TMPDIR: dir, LANG: 'C.UTF-8', PYTHONHASHSEED: '0' },
        timeoutMs,
        maxOutput: MAX_OUTPUT,
      });
    } catch (e) {
      throw new SandboxError(
        'EVAL_SANDBOX_SPAWN',
        `Could not start ${argv[0]} (${(e as Error).message}). Install python3 or pass its path as \`python\`.`,
        { cause: e },
      );
    }
    return {
      status: classify(r.exitCode, r.signal, r.stderr, r.timedOut),
      exitCode: r.exitCode,
      signal: r.signal,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: r.durationMs,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
