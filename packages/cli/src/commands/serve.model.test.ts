import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GREETING, GREETING_REPLY, makeToolModel, SYSTEM } from '@puyu/testing';
import { beforeAll, describe, expect, it } from 'vitest';

// The real `puyu` binary (built by the suite's global setup): quantize, then serve the result.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
let gguf = '';
let dir = '';

beforeAll(async () => {
  gguf = (await makeToolModel()).gguf;
  dir = mkdtempSync(join(tmpdir(), 'puyu-cli-serve-'));
});

describe('puyu quantize / puyu serve', () => {
  it('quantizes to q8_0 and refuses bad types and existing outputs', () => {
    const out = join(dir, 'q8.gguf');
    const r = spawnSync(process.execPath, [BIN, 'quantize', gguf, out, '--type', 'q8_0'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/q8_0, [\d.]+ MiB \(from [\d.]+ MiB, ×[\d.]+ smaller\)/);
    const again = spawnSync(process.execPath, [BIN, 'quantize', gguf, out, '--type', 'q8_0'], { encoding: 'utf8' });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('CLI_OUTPUT_EXISTS');
    const bad = spawnSync(process.execPath, [BIN, 'quantize', gguf, join(dir, 'x.gguf'), '--type', 'q9'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('CLI_BAD_OPTION');
  });

  it('serves the quantized model until SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', join(dir, 'q8.gguf'), '--port', '0', '--sequences', '2', '--ctx-size', '512', '--name', 'tiny-q8'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const url = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /on (http:\/\/\S+)\/v1/.exec(out);
        if (m) res(m[1]);
      });
      child.once('exit', (code) => rej(new Error(`puyu serve exited with ${code}: ${out}`)));
    });
    try {
      expect((await (await fetch(`${url}/v1/models`)).json()).data[0].id).toBe('tiny-q8');
      const r = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          messages: [
            { role: 'system', content: SYSTEM },
            { role: 'user', content: GREETING },
          ],
          temperature: 0,
        }),
      });
      expect((await r.json()).choices[0].message.content).toBe(GREETING_REPLY);
    } finally {
      const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
