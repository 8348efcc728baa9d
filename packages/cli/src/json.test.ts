import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@puyu/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram, commandLine } from './main.js';

// --json on the real `puyu` binary (dist/ built by the suite's global setup): stdout holds one
// JSON object and nothing else; progress and notes stay on stderr.
const BIN = join(REPO_ROOT, 'packages/cli/bin/puyu.js');
const dir = mkdtempSync(join(tmpdir(), 'puyu-cli-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const puyu = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });

/** stdout is exactly one JSON object (one line, or one pretty-printed value). */
function onlyJson(stdout: string): Record<string, unknown> {
  const value = JSON.parse(stdout) as unknown;
  expect(value).toBeTypeOf('object');
  expect(Array.isArray(value)).toBe(false);
  return value as Record<string, unknown>;
}

/** The commands that report results; each takes --json. */
const REPORTING = [
  'puyu quickstart',
  'puyu model init',
  'puyu model convert',
  'puyu model inspect',
  'puyu tokenizer train',
  'puyu train pretrain',
  'puyu train sft',
  'puyu train dpo',
  'puyu train lora',
  'puyu train merge',
  'puyu quantize',
  'puyu eval run',
  'puyu eval score',
  'puyu eval judge',
  'puyu eval calculator',
  'puyu eval needlebench',
  'puyu eval leaderboard',
  'puyu extract',
  'puyu data dedup',
  'puyu data run',
  'puyu data dedup-merge',
  'puyu data synth',
  'puyu data pairs',
  'puyu data flywheel',
  'puyu agent run',
  'puyu search',
  'puyu doctor',
  'puyu assistant ingest',
  'puyu assistant calibrate',
  'puyu assistant ask',
  'puyu label user add',
  'puyu label project',
  'puyu label import',
  'puyu label preannotate',
  'puyu label export',
];

describe('--json', () => {
  it('every command that reports results takes --json', () => {
    const program = buildProgram();
    const all = new Map<string, ReturnType<typeof buildProgram>>();
    const walk = (c: ReturnType<typeof buildProgram>) => {
      for (const s of c.commands) {
        all.set(commandLine(s), s);
        walk(s);
      }
    };
    walk(program);
    const missing = REPORTING.filter((name) => !all.get(name)?.options.some((o) => o.long === '--json' && !o.required && !o.optional));
    expect(missing).toEqual([]);
  });

  it('data synth and data dedup print one JSON object on stdout', () => {
    const synth = puyu(['data', 'synth', '--out', join(dir, 's.jsonl'), '--count', '20', '--kinds', 'arithmetic', '--json']);
    expect(synth.status, synth.stderr).toBe(0);
    expect(onlyJson(synth.stdout)).toEqual({ out: join(dir, 's.jsonl'), records: 20 });

    const texts = ['the quick brown fox jumps over the lazy dog again and again', 'a completely different sentence about cats and tea'];
    const lines = [0, 1, 2, 3].map((i) => JSON.stringify({ id: `d${i}`, text: texts[i % 2] }));
    writeFileSync(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
    const dedup = puyu(['data', 'dedup', '--input', join(dir, 'in.jsonl'), '--output', join(dir, 'out.jsonl'), '--json']);
    expect(dedup.status, dedup.stderr).toBe(0);
    expect(onlyJson(dedup.stdout)).toMatchObject({ output: join(dir, 'out.jsonl'), read: 4, kept: 2, removed: 2 });
  });

  it('model init and model convert print one JSON object, progress on stderr', () => {
    const init = puyu([
      'model',
      'init',
      'm',
      '--hidden',
      '64',
      '--layers',
      '1',
      '--heads',
      '2',
      '--ffn',
      '128',
      '--vocab',
      '300',
      '--json',
    ]);
    expect(init.status, init.stderr).toBe(0);
    expect(onlyJson(init.stdout)).toMatchObject({ outDir: 'm', parameters: 79552, config: { hidden_size: 64, vocab_size: 300 } });
    const convert = puyu(['model', 'convert', 'm', 'm.gguf', '--type', 'f32', '--json']);
    expect(convert.status, convert.stderr).toBe(0);
    expect(onlyJson(convert.stdout)).toEqual({ input: 'm', output: 'm.gguf', direction: 'gguf', type: 'f32', tokenizer: true });
    expect(convert.stderr).toMatch(/convert \| 12\/12/);
  });

  it('tokenizer train prints its statistics as one JSON object, progress on stderr', () => {
    const corpus = Array.from({ length: 200 }, (_, i) => `line ${i} of a small corpus with words that repeat ${i % 7}`);
    writeFileSync(join(dir, 'c.txt'), `${corpus.join('\n')}\n`);
    const r = puyu(['tokenizer', 'train', '--input', join(dir, 'c.txt'), '--vocab-size', '80', '--output', join(dir, 't.model'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(onlyJson(r.stdout)).toMatchObject({ output: join(dir, 't.model'), pieces: 80, linesRead: 200 });
  });
});
