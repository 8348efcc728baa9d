import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nearDuplicateCorpus } from '@puyu/data';
import { REPO_ROOT } from '@puyu/testing';
import { describe, expect, it } from 'vitest';

// The real `puyu` binary (dist/ built by the suite's global setup).
const BIN = join(REPO_ROOT, 'packages/cli/bin/puyu.js');
const puyu = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 120_000 });

describe('puyu data (real CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'puyu-data-cli-'));

  it('dedup keeps the first of each cluster and prints a summary; bad flags exit 2 with a code', () => {
    const docs = nearDuplicateCorpus({ families: 10, words: 80, rates: [0, 0.005], seed: 4 });
    writeFileSync(join(dir, 'in.jsonl'), `${docs.map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n')}\n{"broken\n`);
    const r = puyu(['data', 'dedup', '--input', join(dir, 'in.jsonl'), '--output', join(dir, 'out.jsonl')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/kept 10 of 30 .*14 bands × 9 rows.*skipped: bad_json 1/);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n')).toHaveLength(10);
    const again = puyu(['data', 'dedup', '--input', join(dir, 'in.jsonl'), '--output', join(dir, 'out.jsonl')]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/\[DATA_OUTPUT_EXISTS\]/);
    const bad = puyu([
      'data',
      'dedup',
      '--input',
      join(dir, 'in.jsonl'),
      '--output',
      join(dir, 'o2.jsonl'),
      '--bands',
      '20',
      '--rows',
      '9',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/\[DATA_BAD_OPTION\]/);
  });

  it('run rejects a bad --shard and an unknown operator with codes', () => {
    writeFileSync(join(dir, 'p.yaml'), 'input: { paths: [in.jsonl] }\nsteps:\n  - nonsense: {}\n');
    const r = puyu(['data', 'run', join(dir, 'p.yaml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\[DATA_BAD_PIPELINE\].*nonsense/);
    const s = puyu(['data', 'run', join(dir, 'p.yaml'), '--shard', '2/2']);
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/\[DATA_BAD_SHARD\]/);
  });

  it('synth writes the records it says', () => {
    const r = puyu(['data', 'synth', '--out', join(dir, 'sft.jsonl'), '--count', '12', '--kinds', 'arithmetic,function']);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'sft.jsonl'), 'utf8').trim().split('\n')).toHaveLength(12);
  });
});
