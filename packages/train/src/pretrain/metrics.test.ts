import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetrics, type StepMetrics, writeMetrics } from './metrics.js';

const row = (step: number): StepMetrics => ({ step, loss: 5 - step / 10, lr: 1e-3, grad_norm: 0.5, tokens: step * 128, tokens_per_s: 900 });

describe('metrics.jsonl', () => {
  it('keeps every whole line when the last one was torn by a kill', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-metrics-'));
    const path = join(dir, 'metrics.jsonl');
    await writeFile(path, `${[1, 2, 3].map((s) => JSON.stringify(row(s))).join('\n')}\n{"step":4,"loss":4.6,"lr`);
    const r = await readMetrics(path);
    expect(r.metrics.map((m) => m.step)).toEqual([1, 2, 3]);
    expect(r.metrics[2]).toEqual(row(3));
    expect(r.skipped).toEqual([4]);
  });

  it('skips a line that is JSON but not a record, reads a diverged (null) loss as NaN', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-metrics-'));
    const path = join(dir, 'metrics.jsonl');
    await writeFile(path, `${JSON.stringify(row(1))}\n{"step":"x"}\n${JSON.stringify({ ...row(2), loss: Number.NaN })}\n`);
    const r = await readMetrics(path);
    expect(r.metrics.map((m) => m.step)).toEqual([1, 2]);
    expect(r.metrics[1].loss).toBeNaN();
    expect(r.skipped).toEqual([2]);
  });

  it('reads a missing file as empty, and rewrites through a temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-metrics-'));
    const path = join(dir, 'metrics.jsonl');
    expect(await readMetrics(path)).toEqual({ metrics: [], skipped: [] });
    await writeMetrics(path, [row(1), row(2)]);
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(2);
    expect(await readdir(dir)).toEqual(['metrics.jsonl']);
  });
});
