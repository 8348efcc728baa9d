import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The real `puyu studio` binary: coded failures, and a start → request → SIGTERM cycle.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
const tmp = mkdtempSync(join(tmpdir(), 'puyu-studio-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('puyu studio', () => {
  it.each([
    [['studio', '--runs', join(tmp, 'missing')], 'STUDIO_RUNS_MISSING'],
    [['studio', '--port', '70000'], 'CLI_BAD_OPTION'],
  ])('%j fails with [%s] and exit 2', (args, code) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: tmp, timeout: 60_000 });
    expect(r.stderr).toContain(`[${code}]`);
    expect(r.status).toBe(2);
  });

  it('serves the API on loopback without a token, demands one beyond loopback, and stops on SIGTERM', async () => {
    const run = async (args: string[]) => {
      const child = spawn(process.execPath, [BIN, 'studio', '--runs', tmp, '--port', '0', ...args], { cwd: tmp });
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /on (http:\/\/\S+)/.exec(out);
          if (m) ok(m[1]);
        });
        child.once('exit', (c) => fail(new Error(`exited ${c} before listening: ${out}`)));
      });
      return { child, url };
    };
    const local = await run([]);
    const health = (await (await fetch(`${local.url}/api/health`)).json()) as { runsDir: string; endpoints: string[] };
    expect(health.runsDir).toBe(tmp);
    expect(health.endpoints).toEqual(['http://127.0.0.1:8000/v1']);
    const exited = new Promise((ok) => local.child.once('exit', ok));
    local.child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const open = await run(['--host', '0.0.0.0', '--token', 'sesame']);
    const port = new URL(open.url).port;
    expect(open.url).toContain('token=sesame');
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/api/health`, { headers: { authorization: 'Bearer sesame' } })).status).toBe(200);
    open.child.kill('SIGTERM');
  });
});
