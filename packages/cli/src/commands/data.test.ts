import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nearDuplicateCorpus } from '@puyu/data';
import { REPO_ROOT, startOpenAIPeer } from '@puyu/testing';
import { describe, expect, it } from 'vitest';

// The real `puyu` binary (dist/ built by the suite's global setup).
const BIN = join(REPO_ROOT, 'packages/cli/bin/puyu.js');
const puyu = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 120_000 });
/** The binary without blocking this process, for tests whose HTTP peers run in it. */
const puyuAsync = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

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

  it('pairs --judge ranks sampled answers by the scores a judge model gives', async () => {
    const model = await startOpenAIPeer((r) => `Answer ${Number(r.body.seed ?? 0)} to ${r.prompt}`);
    // The judge scores answer k of prompt "q1" as [2, 9, 5][k]; prompt "q2" gets 4 for every answer (a tie).
    const judge = await startOpenAIPeer((r) => {
      const m = /Answer (\d) to (q\d)/.exec(r.prompt);
      if (!m) return 'no idea';
      return m[2] === 'q1' ? `Score: ${[2, 9, 5][Number(m[1])]}` : 'Score: 4';
    });
    try {
      writeFileSync(join(dir, 'prompts.jsonl'), '{"prompt":"q1"}\n{"prompt":"q2"}\n');
      const out = join(dir, 'judged.jsonl');
      const args = ['data', 'pairs', '--model', `${model.url}@m`, '--judge', `${judge.url}@j`, '--prompts', join(dir, 'prompts.jsonl')];
      const r = await puyuAsync([...args, '--out', out, '--samples', '3']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/1 pairs from 2 prompts \(judge .*mean score 4\.67, 1 ties, 0 failed judgements, 0 failed requests\)/);
      const lines = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ prompt: 'q1', chosen: 'Answer 1 to q1', rejected: 'Answer 0 to q1' });
    } finally {
      await model.close();
      await judge.close();
    }
  });
});
