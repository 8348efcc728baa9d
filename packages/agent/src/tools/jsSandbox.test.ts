import { describe, expect, it } from 'vitest';
import { javascriptTool, runJavaScriptSandboxed } from './jsSandbox.js';

describe('JavaScript sandbox (QuickJS in wasm)', () => {
  it('runs code and returns the printed output and the last value', async () => {
    const r = await runJavaScriptSandboxed('console.log("sum", [1,2,3].reduce((a,b)=>a+b)); ({ok: true})');
    expect(r).toMatchObject({ status: 'ok', output: 'sum 6', value: '{"ok":true}' });
  });
  const escapes: [string, string][] = [
    ['require', 'require("fs").readFileSync("/etc/passwd", "utf8")'],
    ['process', 'process.exit(1)'],
    ['fetch', 'fetch("http://127.0.0.1:1/")'],
    ['a dynamic import of fs', 'import("fs")'],
    ['the Function constructor reaching the host', 'Function("return this")().process.env'],
  ];
  for (const [what, code] of escapes) {
    it(`has no ${what}`, async () => {
      const r = await runJavaScriptSandboxed(code);
      // An import() is a promise: it resolves nowhere; anything that did reach the host would show as ok with a value.
      if (r.status === 'ok') expect(r.value ?? '').not.toMatch(/root:|PATH|HOME/);
      else expect(r.status).toBe('error');
    });
  }
  it('stops an infinite loop at the deadline', async () => {
    const t0 = Date.now();
    const r = await runJavaScriptSandboxed('while (true) {}', { timeoutMs: 300 });
    expect(r.status).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(3000);
  });
  it('stops a memory bomb at the memory limit', async () => {
    const r = await runJavaScriptSandboxed('const a = []; while (true) a.push({ x: [1, 2, 3] });', { memoryMb: 16, timeoutMs: 20_000 });
    expect(r.status).toBe('memory');
  });
  it('as a tool', async () => {
    const tool = javascriptTool({ timeoutMs: 300 });
    const signal = new AbortController().signal;
    expect(await tool.run({ code: '2 ** 10' }, { signal })).toBe('=> 1024');
    expect(await tool.run({ code: 'null.x' }, { signal })).toMatch(/TypeError/);
    expect(await tool.run({ code: 'for(;;){}' }, { signal })).toMatch(/TimeoutError/);
  });
});
