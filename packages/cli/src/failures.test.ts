import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInteger, parseNumber } from './options.js';

// Drives the real `puyu` binary (dist/ built by the suite's global setup): every failure is one
// `puyu: [CODE] sentence` line on stderr with exit code 2, and --help loads no native library.
const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
const tmp = mkdtempSync(join(tmpdir(), 'puyu-cli-fail-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function puyu(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: tmp, timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI failures', () => {
  it.each([
    [['quantize', 'a.gguf', 'b.gguf', '--type', 'q8_0', '--threads', '1.5'], 'CLI_BAD_OPTION', '--threads must be an integer'],
    [['quickstart', '--threads', '10x'], 'CLI_BAD_OPTION', '--threads must be an integer ≥ 1, got "10x"'],
    [['train', 'pretrain', 'c.json', '--threads', 'abc'], 'CLI_BAD_OPTION', '--threads must be an integer'],
    [['model', 'init', 'out', '--seed', '-1'], 'CLI_BAD_OPTION', '--seed must be an integer ≥ 0'],
    [['tokenizer', 'train', '--input', 'x', '--output', 'y', '--vocab-size', '0'], 'CLI_BAD_OPTION', '--vocab-size must be an integer ≥ 1'],
    [['serve', 'm.gguf', '--port', '70000'], 'CLI_BAD_OPTION', '--port must be an integer ≥ 0 and ≤ 65535'],
    [['serve', 'm.gguf', '--kv-cache-type', 'q5'], 'CLI_BAD_OPTION', '--kv-cache-type must be one of f16, f32, q8_0, q4_0'],
    [['serve', 'proxy', '--health-interval', '0'], 'CLI_BAD_OPTION', '--health-interval must be a number > 0'],
    [['serve', 'proxy', '--node', 'http://a:1,weight=x'], 'CLI_BAD_OPTION', 'weight must be a number > 0'],
    [['eval', 'run', '--models', 'http://a:1@m', '--datasets', 'gsm8k:sc0'], 'CLI_BAD_OPTION', 'gsm8k:sc0: draws must be an integer ≥ 1'],
    [['model', 'inspect', 'missing-model-folder'], 'MODEL_NOT_FOUND', 'missing-model-folder'],
    [['train', 'pretrain', 'no-such-config.json'], 'CONFIG_NOT_FOUND', 'no-such-config.json'],
    [['tokenizer', 'encode', '--model', 'no-such.model'], 'TOKENIZER_MODEL_NOT_FOUND', 'no-such.model'],
    [['eval', 'score', '--dataset', 'gsm8k', '--predictions', 'missing.jsonl'], 'EVAL_PREDICTIONS_MISSING', 'missing.jsonl does not exist'],
    [['model', 'init', '/etc/passwd/sub'], 'FILE_NOT_DIRECTORY', '/etc/passwd/sub cannot be reached'],
    [['model', 'frobnicate'], 'CLI_USAGE', "unknown command 'frobnicate'"],
    [['quickstart', '--no-such-flag'], 'CLI_USAGE', "unknown option '--no-such-flag'"],
  ])('puyu %j → [%s], exit 2', (args, code, text) => {
    const r = puyu(args);
    expect(r.stderr).toContain(`puyu: [${code}] `);
    expect(r.stderr).toContain(text);
    expect(r.code).toBe(2);
    // one line, and at most a hint under it
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^puyu: \[[A-Z0-9_]+\] /);
    expect(lines.length).toBeLessThanOrEqual(2);
    if (lines[1] !== undefined) expect(lines[1]).toMatch(/^ {2}hint: \S/);
  });

  it.each([
    [['model', 'inspect', 'x', '--bogus'], "puyu: [CLI_USAGE] unknown option '--bogus'\n  hint: run puyu model inspect --help\n"],
    [['model', 'inspect'], "puyu: [CLI_USAGE] missing required argument 'path'\n  hint: run puyu model inspect --help\n"],
    [['modle'], "puyu: [CLI_USAGE] unknown command 'modle' (did you mean model?)\n  hint: run puyu --help\n"],
    [
      ['train', 'pretrain', 'c.json', '--threads', 'abc'],
      'puyu: [CLI_BAD_OPTION] --threads must be an integer ≥ 1, got "abc".\n  hint: Use a value the message lists (see puyu train pretrain --help).\n',
    ],
  ])('puyu %j → one line and a hint', (args, stderr) => {
    const r = puyu(args);
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(2);
  });

  it("prints the registry's action as a hint only when the message does not already say it", () => {
    // FILE_NOT_DIRECTORY's message names the path; its action says what to check
    expect(puyu(['model', 'init', '/etc/passwd/sub']).stderr).toMatch(/\n {2}hint: Check the path/);
    // CONFIG_NOT_FOUND's message ends "Check the path.", the opening of its action
    expect(puyu(['train', 'pretrain', 'no-such-config.json']).stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('--help and --version exit 0', () => {
    expect(puyu(['--help']).code).toBe(0);
    expect(puyu(['--version']).stdout.trim()).toBe('0.1.0');
  });

  it('`puyu --help` loads no native library and no stage it does not run', () => {
    // A resolve hook records every module the process loads.
    const log = join(tmp, 'loaded.txt');
    const hooks = join(tmp, 'hooks.mjs');
    const register = join(tmp, 'register.mjs');
    spawnSync('sh', [
      '-c',
      `printf '%s' "import { appendFileSync } from 'node:fs'; export async function resolve(s, c, n) { const r = await n(s, c); appendFileSync(process.env.PUYU_LOAD_LOG, r.url + '\\\\n'); return r; }" > ${hooks}; ` +
        `printf '%s' "import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);" > ${register}`,
    ]);
    const r = spawnSync(process.execPath, ['--import', register, BIN, '--help'], {
      encoding: 'utf8',
      env: { ...process.env, PUYU_LOAD_LOG: log },
    });
    expect(r.status).toBe(0);
    const loaded = readFileSync(log, 'utf8');
    for (const heavy of [
      'koffi',
      'node-llama-cpp',
      '@puyu/ggml',
      'packages/ggml/',
      'packages/train/',
      'packages/serve/',
      'packages/eval/',
    ]) {
      expect(loaded, `${heavy} loaded by --help`).not.toContain(heavy);
    }
  });
});

describe('option parsing', () => {
  it('parses whole strings only and checks the range', () => {
    expect(parseInteger('--n', '12')).toBe(12);
    expect(parseInteger('--n', '1e3')).toBe(1000);
    expect(parseNumber('--x', '0.5', { above: 0, max: 1 })).toBe(0.5);
    for (const bad of ['', ' ', '1.5', '10x', 'abc', 'NaN', '9007199254740993'])
      expect(() => parseInteger('--n', bad)).toThrow(/--n must be an integer/);
    expect(() => parseNumber('--x', '0', { above: 0 })).toThrow('--x must be a number > 0, got "0".');
    expect(() => parseNumber('--x', 'Infinity')).toThrow(/must be a number/);
  });
});
