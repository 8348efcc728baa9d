import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChatCompletionBody, CompletionBody, ErrorBody, ModelListBody } from '@puyu/serve';
import { GREETING, GREETING_REPLY, makeToolModel, readEvents, SYSTEM } from '@puyu/testing';
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

/** Starts `puyu serve …` and resolves with its URL once it listens; stderr is collected in `log`. */
async function startCli(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; url: string; log: { stderr: string } }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const log = { stderr: '' };
  child.stderr.on('data', (d) => (log.stderr += d));
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /on (http:\/\/\S+)\/v1/.exec(out);
      if (m) res(m[1]);
    });
    child.once('exit', (code) => rej(new Error(`puyu serve exited with ${code}: ${out}${log.stderr}`)));
  });
  return { child, url, log };
}
const exitOf = (child: ChildProcessWithoutNullStreams) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));

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
      expect(((await (await fetch(`${url}/v1/models`)).json()) as ModelListBody).data[0].id).toBe('tiny-q8');
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
      expect(((await r.json()) as ChatCompletionBody).choices[0].message.content).toBe(GREETING_REPLY);
    } finally {
      const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('--studio starts Puyu Studio beside the server, pointed at it, and stops it with the server', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'puyu-cli-serve-runs-'));
    const child = spawn(process.execPath, [BIN, 'serve', gguf, '--port', '0', '--studio', '--studio-port', '0', '--runs', runs], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = exitOf(child);
    let out = '';
    // both lines from one buffer: they may arrive in one chunk
    const urls = await new Promise<{ serve: string; studio: string }>((res, rej) => {
      child.stdout.on('data', (d) => {
        out += d;
        const s = /on (http:\/\/\S+)\/v1/.exec(out);
        const t = /Puyu Studio on (http:\/\/\S+)/.exec(out);
        if (s && t) res({ serve: s[1], studio: t[1] });
      });
      child.once('exit', (code) => rej(new Error(`puyu serve exited with ${code}: ${out}`)));
    });
    try {
      const health = (await (await fetch(`${urls.studio}/api/health`)).json()) as { endpoints: string[]; runsDir: string };
      expect(health.endpoints).toEqual([`${urls.serve}/v1`]);
      expect(health.runsDir).toBe(runs);
    } finally {
      child.kill('SIGTERM');
      expect((await exited).code).toBe(0);
    }
  });

  it('--sequences 1 --max-queue 1: of 6 concurrent streams some get 429 + Retry-After and no 200 carries an error; SIGTERM mid-stream exits 0 within the grace period', async () => {
    const GRACE = 1;
    // ctx 8192 so the last stream (8000 tokens, ~5 s) outlasts the grace period.
    const { child, url, log } = await startCli([
      gguf,
      '--port',
      '0',
      '--sequences',
      '1',
      '--max-queue',
      '1',
      '--ctx-size',
      '8192',
      '--grace-period',
      `${GRACE}`,
    ]);
    const exited = exitOf(child);
    const stream = (maxTokens: number) =>
      fetch(`${url}/v1/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'hello', max_tokens: maxTokens, ignore_eos: true, temperature: 0, stream: true }),
      });
    try {
      const responses = await Promise.all(Array.from({ length: 6 }, () => stream(200)));
      const summary: string[] = [];
      let rejected = 0;
      for (const r of responses) {
        if (r.status === 429) {
          rejected++;
          expect(r.headers.get('retry-after')).toBe('1');
          const body = (await r.json()) as ErrorBody;
          expect(body.error.code).toBe('SERVE_OVERLOADED');
          summary.push(`429 Retry-After ${r.headers.get('retry-after')} ${body.error.code}`);
          continue;
        }
        expect(r.status).toBe(200);
        const { events } = await readEvents(r, Number.POSITIVE_INFINITY);
        const chunks = events.filter((e): e is CompletionBody | ErrorBody => e !== '[DONE]');
        const errors = chunks.filter((c): c is ErrorBody => 'error' in c);
        expect(errors).toEqual([]);
        expect(events.at(-1)).toBe('[DONE]');
        const last = chunks.at(-1) as CompletionBody;
        expect(last.choices[0].finish_reason).toBe('length');
        summary.push(`200 ${chunks.length} events, finish ${last.choices[0].finish_reason}, 0 error events`);
      }
      expect(rejected).toBeGreaterThanOrEqual(1);
      // SIGTERM while a stream runs: it gets the grace period, then an error event; the process exits 0.
      const running = await stream(8000);
      const first = await readEvents(running, 1);
      first.reader.releaseLock();
      const t0 = performance.now();
      child.kill('SIGTERM');
      const rest = await readEvents(running, Number.POSITIVE_INFINITY);
      const { code, signal } = await exited;
      const seconds = (performance.now() - t0) / 1000;
      const errorEvents = rest.events.filter((e): e is ErrorBody => typeof e === 'object' && e !== null && 'error' in e);
      console.log(
        `puyu serve --sequences 1 --max-queue 1, 6 concurrent streams:\n  ${summary.join('\n  ')}\n` +
          `SIGTERM during a stream (--grace-period ${GRACE}): exit code ${code} after ${seconds.toFixed(2)} s; ` +
          `the stream got ${first.events.length + rest.events.length} events, ending with ${JSON.stringify(errorEvents.map((e) => e.error.code))} and ${JSON.stringify(rest.events.at(-1))}\n` +
          `stderr: ${log.stderr.trim()}`,
      );
      expect(code).toBe(0);
      expect(signal).toBeNull();
      expect(seconds).toBeLessThan(GRACE + 3);
      expect(errorEvents.map((e) => e.error.code)).toEqual(['SERVE_SHUTTING_DOWN']);
      expect(rest.events.at(-1)).toBe('[DONE]');
      expect(log.stderr).toContain('SIGTERM: shutting down');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
