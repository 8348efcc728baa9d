/**
 * Runs model-written Python, one fresh process per call, on the principles of @puyu/eval's pass@k
 * sandbox (eval is not an agent dependency, so this is the agent's own runner):
 * - a fresh temporary working folder, removed afterwards;
 * - a wall-clock limit: the whole process group is SIGKILLed on expiry;
 * - CPU-time, address-space, process-count and file-size limits via `resource.setrlimit`;
 * - no network: an empty network namespace (`unshare -n`) where the machine allows it;
 * - a Python audit hook (PEP 578, which Python code cannot remove) that refuses sockets, process
 *   starts (subprocess, os.system, exec, fork, spawn), ctypes, and any file opened outside the
 *   working folder (reads of the standard library excepted);
 * - RLIMIT_NPROC 0 where it applies (not for root, which the hook covers);
 * - `python3 -I -S` with a minimal environment.
 * A failing program is a result, not an exception.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ContainedRunResult, runContained, withoutNetwork } from '@puyu/core';
import { z } from 'zod';
import { defineTool } from '../core/tool.js';
import { AgentError } from '../errors.js';

export type PythonStatus = 'ok' | 'error' | 'timeout' | 'memory';

export interface PythonRunResult {
  status: PythonStatus;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  durationMs: number;
}

export interface PythonSandboxOptions {
  /** Wall-clock limit (default 10 s). */
  timeoutMs?: number;
  /** Address-space limit (default 512 MiB). */
  memoryMb?: number;
  python?: string;
}

const PREAMBLE = (memoryBytes: number, cpuSeconds: number) => `
import resource as _r, sys as _sys, os as _os
_r.setrlimit(_r.RLIMIT_AS, (${memoryBytes}, ${memoryBytes}))
_r.setrlimit(_r.RLIMIT_CPU, (${cpuSeconds}, ${cpuSeconds}))
_r.setrlimit(_r.RLIMIT_CORE, (0, 0))
_r.setrlimit(_r.RLIMIT_FSIZE, (16 * 1024 * 1024, 16 * 1024 * 1024))
try:
    _r.setrlimit(_r.RLIMIT_NPROC, (0, 0))
except (ValueError, OSError):
    pass
_src = open("program.py", encoding="utf-8").read()
def _guard():
    # An audit hook cannot be removed from Python code once added: every open, socket,
    # process start and native-library load below goes through it.
    import os, sys
    here = os.path.realpath(os.getcwd()) + os.sep
    import sysconfig
    stdlib = tuple(os.path.realpath(sysconfig.get_paths()[k]) + os.sep for k in ("stdlib", "platstdlib"))
    WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    DENY = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
            "os.kill", "os.killpg", "ctypes.", "_posixsubprocess", "pty.", "os.startfile", "webbrowser.")
    realpath, isinstance_, str_, bytes_, int_ = os.path.realpath, isinstance, str, bytes, int
    def hook(event, args):
        if event.startswith(DENY):
            raise PermissionError(event + " is disabled in the puyu sandbox (no network, no processes, no native code)")
        if event == "open":
            path, mode, flags = args
            if isinstance_(path, int_):
                return
            p = realpath(path.decode() if isinstance_(path, bytes_) else str_(path))
            writing = (mode is not None and any(c in mode for c in "wax+")) or (mode is None and (flags or 0) & WRITE)
            if (p + os.sep).startswith(here) or p.startswith(here):
                return
            if not writing and p.startswith(stdlib):
                return
            raise PermissionError("access to " + str_(path) + " is outside the sandbox folder")
        if event in ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.symlink", "os.link", "shutil.rmtree", "os.truncate", "os.utime"):
            for a in args:
                if isinstance_(a, (str_, bytes_)):
                    p = realpath(a.decode() if isinstance_(a, bytes_) else a)
                    if not (p + os.sep).startswith(here):
                        raise PermissionError(event + " outside the sandbox folder is disabled")
        if event in ("os.listdir", "os.scandir", "os.chdir"):
            a = args[0] if args else "."
            if isinstance_(a, (str_, bytes_)):
                p = realpath(a.decode() if isinstance_(a, bytes_) else a)
                # the import system lists standard-library folders; anything else outside is refused
                if not ((p + os.sep).startswith(here) or (p + os.sep).startswith(stdlib)):
                    raise PermissionError(event + " outside the sandbox folder is disabled")
    sys.addaudithook(hook)
_guard()
del _guard, _r, _os
_sys.argv = ["program.py"]
exec(compile(_src, "program.py", "exec"), {"__name__": "__main__"})
`;

export { networkIsolation } from '@puyu/core';

const MAX_OUTPUT = 32 * 1024;

export async function runPythonSandboxed(code: string, opts: PythonSandboxOptions = {}): Promise<PythonRunResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const memoryBytes = (opts.memoryMb ?? 512) * 1024 * 1024;
  const python = opts.python ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const dir = await mkdtemp(join(tmpdir(), 'puyu-agent-py-'));
  try {
    await writeFile(join(dir, 'program.py'), code, 'utf8');
    await writeFile(join(dir, 'run.py'), PREAMBLE(memoryBytes, Math.max(1, Math.ceil(timeoutMs / 1000))), 'utf8');
    const argv = withoutNetwork([python, '-I', '-S', 'run.py']);
    let r: ContainedRunResult;
    try {
      r = await runContained(argv, {
        cwd: dir,
        env: { PATH: '/usr/bin:/bin', HOME: dir, TMPDIR: dir, LANG: 'C.UTF-8', PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1' },
        timeoutMs,
        maxOutput: MAX_OUTPUT,
      });
    } catch (e) {
      throw new AgentError(
        'AGENT_SANDBOX_SPAWN',
        `Could not start ${argv[0]} (${(e as Error).message}). Install python3 or pass its path as \`python\`.`,
        { cause: e },
      );
    }
    let status: PythonStatus = r.exitCode === 0 ? 'ok' : 'error';
    if (r.timedOut || r.signal === 'SIGXCPU' || r.signal === 'SIGKILL') status = 'timeout';
    else if (/MemoryError/.test(r.stderr)) status = 'memory';
    return { status, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, durationMs: r.durationMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the model reads back: output, then the error, in the way a notebook cell shows them. */
export function formatPythonResult(r: PythonRunResult, timeoutMs: number): string {
  const parts: string[] = [];
  if (r.stdout) parts.push(r.stdout.trimEnd());
  if (r.status === 'timeout') parts.push(`TimeoutError: the code ran longer than ${timeoutMs} ms and was stopped.`);
  else if (r.status === 'memory') parts.push('MemoryError: the code used more memory than the sandbox allows.');
  else if (r.status === 'error') parts.push(lastLines(r.stderr, 8));
  return parts.join('\n') || '(no output; print() what you want to see)';
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/**
 * InternLM2's `<|interpreter|>` channel as a tool (Lagent's IPythonInterpreter name and
 * argument). Unlike Lagent's Jupyter kernel each call is a fresh process: variables do not
 * survive between calls, which is the price of a clean sandbox per call.
 */
export function pythonInterpreterTool(opts: PythonSandboxOptions = {}) {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return defineTool({
    name: 'IPythonInterpreter',
    description: 'Run Python code in a sandbox (no network, no files outside a temporary folder) and return what it prints.',
    input: z.object({ command: z.string().describe('Python code to run') }),
    // the sandbox enforces its own limit; leave room for process start and cleanup
    timeoutMs: timeoutMs + 5000,
    run: async ({ command }) => formatPythonResult(await runPythonSandboxed(command, opts), timeoutMs),
  });
}
