import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { parseShard, runPipeline } from './runPipeline.js';
import { TEST_PIPELINE, writeTestCorpus } from './testCorpus.js';

function listFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.jsonl') || e.name.endsWith('.gz')) out[relative(dir, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

function setup(docsPerFile = 40, files = 4): string {
  const dir = mkdtempSync(join(tmpdir(), 'puyu-data-run-'));
  writeTestCorpus(join(dir, 'corpus'), files, docsPerFile);
  writeFileSync(join(dir, 'pipeline.yaml'), TEST_PIPELINE);
  return dir;
}

describe('runPipeline', () => {
  it('runs readers → operators → writers, counts drops and malformed input, and writes a report', async () => {
    const dir = setup();
    const r = await runPipeline(join(dir, 'pipeline.yaml'), { silent: true });
    expect(r.units).toHaveLength(5); // 4 corpus files + the empty one
    const stages = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as {
      stages: { name: string; drops: Record<string, number>; events: Record<string, number> }[];
      malformed: { counts: Record<string, number> };
      read: number;
      kept: number;
      languages: Record<string, number>;
    };
    const by = Object.fromEntries(stages.stages.map((s) => [s.name, s]));
    expect(by.gopher_quality?.drops.gopher_too_few_words).toBeGreaterThan(0);
    expect(by.exact_dedup?.drops.exact_duplicate).toBeGreaterThan(0);
    expect(by.blocklist?.drops.blocked_domain).toBeGreaterThan(0);
    expect(by.pii?.events.email).toBeGreaterThan(0);
    expect(by.pii?.events.phone).toBeGreaterThan(0);
    expect(by.pii?.events.ip).toBeGreaterThan(0);
    expect(stages.malformed.counts).toMatchObject({ bad_json: 4, binary: 4, no_text: 4, empty_file: 1 });
    expect(stages.languages.en).toBeGreaterThan(0);
    expect(stages.languages.zh).toBeGreaterThan(0);
    const report = readFileSync(r.reportPath, 'utf8');
    expect(report).toMatch(/## Drop reasons/);
    expect(existsSync(join(dir, 'out', 'report-docs.svg'))).toBe(true);
    const out = readFileSync(join(dir, 'out', 'shard-00001', 'part-00000.jsonl'), 'utf8');
    expect(out).not.toMatch(/alice\.smith@example\.com|13812345678|192\.168\.1\.20/);
    expect(out).toMatch(/<EMAIL>/);
    // Rerunning skips every finished shard.
    const again = await runPipeline(join(dir, 'pipeline.yaml'), { silent: true });
    expect(again.skipped).toBe(5);
  });

  it('splits shards across --shard tasks and worker threads with the same bytes as one process', async () => {
    const one = setup(20);
    await runPipeline(join(one, 'pipeline.yaml'), { silent: true });
    const split = setup(20);
    await runPipeline(join(split, 'pipeline.yaml'), { silent: true, shard: { index: 0, count: 2 } });
    await runPipeline(join(split, 'pipeline.yaml'), { silent: true, shard: { index: 1, count: 2 }, workers: 2 });
    expect(listFiles(join(split, 'out'))).toEqual(listFiles(join(one, 'out')));
    expect(existsSync(join(split, 'out', 'report-shard-1-of-2.md'))).toBe(true);
  });

  it('parses --shard', () => {
    expect(parseShard('3/16')).toEqual({ index: 3, count: 16 });
    expect(() => parseShard('16/16')).toThrow(/DATA_BAD_SHARD|INDEX/);
  });

  it('resumes after a kill with byte-identical output', async () => {
    const ref = setup(200, 6);
    await runPipeline(join(ref, 'pipeline.yaml'), { silent: true });
    const killed = setup(200, 6);
    const bin = join(REPO_ROOT, 'packages', 'cli', 'bin', 'puyu.js');
    const child = spawn(process.execPath, [bin, 'data', 'run', join(killed, 'pipeline.yaml')], { stdio: 'ignore' });
    // Kill once the first shard is finished and before the last one is.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (existsSync(join(killed, 'out', 'shard-00000', '.done.json')) || child.exitCode !== null) {
          clearInterval(t);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    await new Promise((r) => child.once('exit', r));
    const finishedBefore = readdirSync(join(killed, 'out')).filter((d) => existsSync(join(killed, 'out', d, '.done.json'))).length;
    const r = await runPipeline(join(killed, 'pipeline.yaml'), { silent: true });
    expect(r.skipped).toBe(finishedBefore);
    expect(finishedBefore).toBeLessThan(7);
    expect(listFiles(join(killed, 'out'))).toEqual(listFiles(join(ref, 'out')));
  });
});
