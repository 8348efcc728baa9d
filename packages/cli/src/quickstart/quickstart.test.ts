import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenLineage, lineageProblems, traceLineage } from '@puyu/core/lineage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The whole chain as a user runs it: the real `puyu` binary, `quickstart --fast` into an empty
// folder, killed once during pretraining and run again (it must resume), then once more (every
// stage skipped). Native code (ggml training, llama.cpp serving) runs here, at toy size.
const ROOT = join(import.meta.dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');

interface Summary {
  profile: string;
  model: { hf: string; gguf: string; card: string };
  scores: {
    calculator: { items: number; correct_call: number };
    gsm8k: { items: number; accuracy: number };
    needlebench: { items: number };
  };
  agent: { question: string; status: string };
  urls: { api: string; studio: string };
  stages: { name: string; seconds: number; skipped: boolean }[];
}

function quickstart(out: string, onStderr?: (text: string, child: ChildProcess) => void) {
  const child = spawn(
    process.execPath,
    [BIN, 'quickstart', '--fast', '--out', out, '--no-wait', '--json', '--port', '0', '--studio-port', '0'],
    {
      cwd: ROOT,
      env: { ...process.env, PUYU_THREADS: '1' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    onStderr?.(stderr, child);
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr })),
  );
}

let out: string;
let killed: Awaited<ReturnType<typeof quickstart>>;
let resumed: Awaited<ReturnType<typeof quickstart>>;
let summary: Summary;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'puyu-quickstart-'));
  // 1. Killed as soon as pretraining has written its first checkpoint.
  killed = await quickstart(out, (text, child) => {
    const ckpts = join(out, 'pretrain', 'checkpoints');
    if (text.includes('[3/8] pretrain') && existsSync(ckpts) && readdirSync(ckpts).some((n) => n.startsWith('step-')))
      child.kill('SIGKILL');
  });
  // 2. Run again: finished stages skip, pretraining resumes, the rest runs.
  resumed = await quickstart(out);
  summary = JSON.parse(resumed.stdout.trim().split('\n').at(-1) as string) as Summary;
}, 600_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('puyu quickstart --fast', () => {
  it('was killed during pretraining, then resumed where it stopped', () => {
    expect(killed.signal).toBe('SIGKILL');
    expect(resumed.code, resumed.stderr.slice(-3000)).toBe(0);
    expect(resumed.stderr).toMatch(/\[1\/8\] data:[^\n]*\n {2}done in an earlier run/);
    expect(resumed.stderr).toMatch(/\[2\/8\] tokenizer:[^\n]*\n {2}done in an earlier run/);
    expect(resumed.stderr).toContain('resuming from the newest checkpoint');
  });

  it('runs every stage, times each, and reports scores, URLs and the agent exchange', () => {
    expect(summary.profile).toBe('fast');
    expect(summary.stages.map((s) => s.name)).toEqual(['data', 'tokenizer', 'pretrain', 'sft', 'quantize', 'eval', 'serve', 'agent']);
    for (const s of summary.stages) expect(s.seconds).toBeGreaterThanOrEqual(0);
    expect(summary.scores.calculator.items).toBe(10);
    expect(summary.scores.gsm8k.items).toBe(5);
    expect(summary.scores.needlebench.items).toBe(1);
    expect(summary.agent.question.length).toBeGreaterThan(0);
    expect(summary.urls.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(summary.urls.studio).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    for (const f of ['data/corpus', 'data/corpus/report.md', 'tokenizer/quickstart.model', 'timings.md', 'summary.json'])
      expect(existsSync(join(out, f)), f).toBe(true);
  });

  it('records lineage from the served GGUF back to the shipped corpus files, and writes a model card with the scores', async () => {
    const tree = await traceLineage(summary.model.gguf);
    expect(lineageProblems(tree)).toEqual([]);
    const nodes = flattenLineage(tree);
    const raw = nodes.filter((n) => n.status === 'raw').map((n) => n.path.split('/').pop());
    expect(raw).toEqual(expect.arrayContaining(['devils-dictionary.txt', 'tang300-song100.txt']));
    expect(new Set(nodes.map((n) => n.kind))).toEqual(
      new Set(['gguf', 'hf-model', 'tokenizer', 'corpus', 'synthetic-corpus', 'sft-data', 'raw']),
    );
    const card = await readFile(summary.model.card, 'utf8');
    expect(card).toContain('## Evaluation');
    expect(card).toMatch(/eval\/gsm8k \| gsm8k \d/);
    expect(card).toContain('calculator_correct_call');
    expect(card).toContain('devils-dictionary.txt');
  });

  it('skips every finished stage on a third run', async () => {
    const again = await quickstart(out);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    const s = JSON.parse(again.stdout.trim().split('\n').at(-1) as string) as Summary;
    expect(s.stages.filter((x) => x.skipped).map((x) => x.name)).toEqual(['data', 'tokenizer', 'pretrain', 'sft', 'quantize', 'eval']);
  }, 300_000);

  it('the Studio shows the run folder’s evaluation scores', async () => {
    const { startStudio } = await import('@puyu/studio');
    const studio = await startStudio({ runsDir: out, port: 0, endpoints: [] });
    try {
      const runs = (await (await fetch(`${studio.url}/api/evaluation/runs`)).json()) as { runs: { id: string }[] };
      const gsm = runs.runs.find((r) => r.id.endsWith('gsm8k'));
      expect(gsm, JSON.stringify(runs)).toBeDefined();
      const shown = (await (await fetch(`${studio.url}/api/evaluation/run?run=${encodeURIComponent(gsm?.id ?? '')}`)).json()) as {
        run: { results: { dataset: string; score: number }[] };
      };
      const onDisk = JSON.parse(await readFile(join(out, 'eval', 'gsm8k', 'run.json'), 'utf8')) as { results: { score: number }[] };
      expect(shown.run.results.map((r) => r.score)).toEqual(onDisk.results.map((r) => r.score));
      expect(shown.run.results[0]?.score).toBe(summary.scores.gsm8k.accuracy);
    } finally {
      await studio.close();
    }
  });
});
