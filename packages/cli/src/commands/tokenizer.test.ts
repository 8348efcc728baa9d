import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the real `puyu` binary (dist/ built by the suite's global setup) on the real InternLM2 tokenizer.
const ROOT = resolve(__dirname, '../../../..');
const HF_DIR = INTERNLM2_TOKENIZER_DIR;
const MODEL = join(HF_DIR, 'tokenizer.model');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
const hasModel = existsSync(MODEL);
if (!hasModel) console.warn(`skipping tokenizer CLI tests: ${MODEL} not found (needs ../shared/models)`);

function puyu(args: string[], input: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!hasModel)('puyu tokenizer encode/decode (real CLI)', () => {
  let tmp = '';
  beforeAll(() => {
    // dist/ is built once by the suite's global setup (vitest.global-setup.ts)
    tmp = mkdtempSync(join(tmpdir(), 'puyu-tok-cli-'));
  }, 300_000);
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('encodes stdin lines to the python sentencepiece ids and decodes them back', () => {
    const goldens = gunzipSync(readFileSync(resolve(ROOT, 'packages/formats/src/tokenizer/fixtures/internlm2-goldens.jsonl.gz')))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { text?: string; ids?: number[]; decoded: string })
      // One line per record: skip texts with line breaks and the empty line (readline drops a trailing empty line).
      .filter((g) => g.text !== undefined && g.text !== '' && !/[\r\n]/.test(g.text))
      .slice(0, 300);
    expect(goldens.length).toBeGreaterThan(200);
    const enc = puyu(['tokenizer', 'encode', '--model', MODEL], goldens.map((g) => `${g.text}\n`).join(''));
    expect(enc.stderr).toBe('');
    expect(enc.code).toBe(0);
    const lines = enc.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(goldens.length);
    for (let i = 0; i < lines.length; i++) expect(JSON.parse(lines[i]), goldens[i].text).toEqual(goldens[i].ids);
    const dec = puyu(['tokenizer', 'decode', '--model', MODEL], enc.stdout);
    expect(dec.code).toBe(0);
    expect(dec.stdout).toBe(goldens.map((g) => `${g.decoded}\n`).join(''));
  });

  it('parses HF added tokens with --special and adds BOS with --bos on an HF folder', () => {
    const enc = puyu(['tokenizer', 'encode', '--model', HF_DIR, '--special', '--bos'], '<|im_start|>user 你好<|im_end|>\n');
    expect(enc.code).toBe(0);
    const ids = JSON.parse(enc.stdout) as number[];
    expect(ids[0]).toBe(1);
    expect(ids[1]).toBe(92543);
    expect(ids.at(-1)).toBe(92542);
    const plain = puyu(['tokenizer', 'encode', '--model', HF_DIR], '<|im_start|>\n');
    expect(JSON.parse(plain.stdout)).not.toContain(92543);
    expect(puyu(['tokenizer', 'decode', '--model', HF_DIR, '--special'], enc.stdout).stdout).toBe('<|im_start|>user 你好<|im_end|>\n');
    expect(puyu(['tokenizer', 'decode', '--model', HF_DIR], enc.stdout).stdout).toBe('user 你好\n');
  });

  it('fails cleanly with a code on bad input, a missing model and a corrupt model', () => {
    const bad = puyu(['tokenizer', 'decode', '--model', MODEL], '[1, 2]\nnot json\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[TOKENIZER_BAD_INPUT]');
    expect(bad.stderr).toContain('line 2');
    const range = puyu(['tokenizer', 'decode', '--model', MODEL], '[1, 92544]\n');
    expect(range.stderr).toContain('[TOKENIZER_BAD_ID]');
    const missing = puyu(['tokenizer', 'encode', '--model', join(tmp, 'nope.model')], 'x\n');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('[TOKENIZER_MODEL_NOT_FOUND]');
    const corrupt = join(tmp, 'corrupt.model');
    writeFileSync(corrupt, readFileSync(MODEL).subarray(0, 5000));
    const c = puyu(['tokenizer', 'encode', '--model', corrupt], 'x\n');
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('[TOKENIZER_MODEL_CORRUPT]');
  });
});
