import { describe, expect, it } from 'vitest';
import { networkIsolation, runPython } from './PythonSandbox.js';

describe('PythonSandbox', () => {
  it('runs a program in a fresh temp dir and reports success', async () => {
    const r = await runPython('import os\nprint(len(os.listdir(".")), os.getcwd().split("/")[-1].startswith("puyu-sandbox-"))');
    expect(r.status).toBe('passed');
    expect(r.stdout.trim()).toBe('2 True'); // program.py + run.py, nothing else
  });

  it('reports a failing assertion as failed', async () => {
    const r = await runPython('assert 1 == 2, "nope"');
    expect(r.status).toBe('failed');
    expect(r.stderr).toContain('AssertionError: nope');
  });

  it('kills an infinite loop at the time limit', async () => {
    const t0 = Date.now();
    const r = await runPython('while True:\n    pass\n', { timeoutMs: 1500 });
    expect(r.status).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(6000);
  });

  it('kills a sleeping child process group on timeout too', async () => {
    const r = await runPython('import time\ntime.sleep(60)\n', { timeoutMs: 800 });
    expect(r.status).toBe('timeout');
    expect(r.signal).toBe('SIGKILL');
  });

  it('stops a memory hog at the address-space limit', async () => {
    const r = await runPython('x = bytearray(2 * 1024 * 1024 * 1024)\nprint("allocated")', { memoryMb: 256 });
    expect(r.status).toBe('memory');
    expect(r.stdout).not.toContain('allocated');
  });

  it('blocks network access', async () => {
    const prog = [
      'import socket',
      'try:',
      '    socket.create_connection(("1.1.1.1", 80), timeout=2)',
      '    print("CONNECTED")',
      'except Exception as e:',
      '    raise SystemExit("blocked: " + type(e).__name__ + ": " + str(e))',
    ].join('\n');
    const r = await runPython(prog);
    expect(r.stdout).not.toContain('CONNECTED');
    expect(r.status).toBe('network');
    // Printed so a run log says which layer applied on this machine.
    console.log(`sandbox network isolation: ${networkIsolation()}`);
  });

  it('blocks the network even when the program re-imports the socket module internals', async () => {
    // `_socket` bypasses the preamble's patch; only the network namespace stops it.
    const prog = [
      'import _socket',
      's = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)',
      's.settimeout(2)',
      'try:',
      '    s.connect(("1.1.1.1", 80))',
      '    print("CONNECTED")',
      'except OSError as e:',
      '    print("refused", e)',
    ].join('\n');
    if (networkIsolation() === 'preamble') {
      console.log('skipped: no network namespace on this machine, so only the preamble blocks sockets');
      return;
    }
    const r = await runPython(prog);
    expect(r.stdout).not.toContain('CONNECTED');
    expect(r.stdout).toMatch(/refused .*(unreachable|Network)/i);
  });
});
