import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonInterpreterTool, runPythonSandboxed } from './pythonSandbox.js';

const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython) console.log('skipped: python3 is not installed (apt-get install python3)');

describe.skipIf(!hasPython)('Python sandbox', () => {
  it('runs code, imports the standard library and writes inside its own folder', async () => {
    const r = await runPythonSandboxed(
      'import json, math\nopen("a.txt", "w").write("hi")\nprint(json.dumps({"x": math.sqrt(16)}), open("a.txt").read())',
    );
    expect(r).toMatchObject({ status: 'ok', stdout: '{"x": 4.0} hi\n' });
  });

  const escapes: [string, string, RegExp][] = [
    ['reading a file outside', 'print(open("/etc/passwd").read())', /outside the sandbox folder/],
    ['writing a file outside', `open(${JSON.stringify(join(tmpdir(), 'puyu-escape.txt'))}, "w").write("x")`, /outside the sandbox folder/],
    ['listing the root folder', 'import os\nprint(os.listdir("/"))', /outside the sandbox folder/],
    ['a network connection', 'import socket\ns = socket.create_connection(("127.0.0.1", 80), timeout=1)', /disabled in the puyu sandbox/],
    ['subprocess', 'import subprocess\nprint(subprocess.run(["id"], capture_output=True).stdout)', /disabled in the puyu sandbox/],
    ['os.system', 'import os\nos.system("touch /tmp/puyu-pwned")', /disabled in the puyu sandbox/],
    ['fork', 'import os\nos.fork()', /disabled in the puyu sandbox/],
    ['ctypes', 'import ctypes\nctypes.CDLL(None).system(b"id")', /disabled|ImportError|No module/],
  ];
  for (const [what, code, message] of escapes) {
    it(`blocks ${what}`, async () => {
      const r = await runPythonSandboxed(code, { timeoutMs: 5000 });
      expect(r.status).toBe('error');
      expect(r.stderr).toMatch(message);
    });
  }
  it('leaves no trace of a blocked write', () => {
    expect(existsSync('/tmp/puyu-pwned')).toBe(false);
    expect(existsSync(join(tmpdir(), 'puyu-escape.txt'))).toBe(false);
  });

  it('stops an infinite loop within the time limit', async () => {
    const t0 = Date.now();
    const r = await runPythonSandboxed('while True: pass', { timeoutMs: 1500 });
    expect(r.status).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('stops a memory bomb at the memory limit', async () => {
    const r = await runPythonSandboxed('x = bytearray(2 * 1024 ** 3)', { memoryMb: 256 });
    expect(r.status).toBe('memory');
  });

  it('as a tool: output and errors come back as text for the model', async () => {
    const tool = pythonInterpreterTool({ timeoutMs: 1500 });
    const ac = new AbortController();
    expect(await tool.run({ command: 'print(2 ** 10)' }, { signal: ac.signal })).toBe('1024');
    expect(await tool.run({ command: '1/0' }, { signal: ac.signal })).toMatch(/ZeroDivisionError/);
    expect(await tool.run({ command: 'while True: pass' }, { signal: ac.signal })).toMatch(/TimeoutError/);
  });
});
