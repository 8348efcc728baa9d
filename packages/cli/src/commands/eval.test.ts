import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getDataset } from '@puyu/eval';
import { SentencePieceTokenizer } from '@puyu/formats';
import { INTERNLM2_TOKENIZER_DIR, type OpenAIPeer, oracleReply, sharedDataPath, startOpenAIPeer } from '@puyu/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDatasetFlag } from './eval.js';

// Drives the real `puyu` binary (dist/ built by the suite's global setup) against loopback OpenAI peers.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
const DATA = sharedDataPath();
const TOKENIZER = join(INTERNLM2_TOKENIZER_DIR, 'tokenizer.model');
const hasData = existsSync(DATA);
const hasTokenizer = existsSync(TOKENIZER);
if (!hasData) console.warn(`skipping puyu eval CLI tests on real benchmarks: ${DATA} not found (needs ../shared/datasets)`);
if (!hasTokenizer) console.warn(`skipping puyu eval needlebench --tokenizer test: ${TOKENIZER} not found (needs ../shared/models)`);

function puyu(
  args: string[],
  onStart?: (child: ChildProcess) => void,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    onStart?.(child);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

const peers: OpenAIPeer[] = [];
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
});

describe('puyu eval (real CLI)', () => {
  it('parses dataset flags', () => {
    expect(parseDatasetFlag('gsm8k')).toBe('gsm8k');
    expect(parseDatasetFlag('mmlu:ppl', 5)).toEqual({ name: 'mmlu', inferencer: 'ppl', limit: 5 });
    expect(parseDatasetFlag('gsm8k:sc3')).toEqual({ name: 'gsm8k', inferencer: 'sc', n: 3, limit: undefined });
    expect(() => parseDatasetFlag('gsm8k:beam')).toThrow(/gen, ppl or scN/);
  });

  it.skipIf(!hasData)('a SIGKILLed run resumes without asking any finished sample again; score and leaderboard read the run', async () => {
    const known = [
      ...(await getDataset('gsm8k').load({ root: DATA, limit: 40 })),
      ...(await getDataset('gsm8k').loadFewShotPool!({ root: DATA })),
    ];
    const reply = oracleReply(known);
    let victim: ChildProcess | undefined;
    const peer = await startOpenAIPeer(async (r) => {
      if (peer.requests.length === 15) victim?.kill('SIGKILL');
      await new Promise((ok) => setTimeout(ok, 10));
      return reply(r);
    });
    peers.push(peer);
    const out = mkdtempSync(join(tmpdir(), 'puyu-eval-cli-'));
    const args = [
      'eval',
      'run',
      '--models',
      `${peer.url}@oracle`,
      '--datasets',
      'gsm8k',
      '--limit',
      '40',
      '--concurrency',
      '3',
      '--data-root',
      DATA,
      '--out',
      out,
      '--quiet',
    ];
    const killed = await puyu(args, (c) => {
      victim = c;
    });
    expect(killed.signal).toBe('SIGKILL');
    // Bytes the child wrote before dying may still be in flight to the server: let it settle.
    for (let n = -1; n !== peer.requests.length; ) {
      n = peer.requests.length;
      await new Promise((ok) => setTimeout(ok, 150));
    }
    const firstRequests = peer.requests.length;
    const cached = readFileSync(join(out, 'cache.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    expect(cached).toBeGreaterThanOrEqual(10);
    expect(cached).toBeLessThan(40);

    const resumed = await puyu(args);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('| gsm8k | accuracy | gen | 40 | 100.00 |');
    expect(resumed.stdout).toContain(`${40 - cached} requests sent, ${cached} from cache`);
    expect(peer.requests.length - firstRequests).toBe(40 - cached);
    // Only requests that were in flight at the kill (sent, never cached) may be asked twice.
    const prompts = peer.requests.map((q) => q.prompt);
    expect(new Set(prompts).size).toBe(40);
    expect(prompts.length - 40).toBe(firstRequests - cached);
    expect(existsSync(join(out, 'report.html'))).toBe(true);

    // Eval-only mode on the run's own predictions.
    const preds = join(out, 'predictions', 'oracle', 'gsm8k.jsonl');
    const scored = await puyu([
      'eval',
      'score',
      '--dataset',
      'gsm8k',
      '--predictions',
      preds,
      '--data-root',
      DATA,
      '--out',
      join(out, 'rescored.jsonl'),
    ]);
    expect(scored.code).toBe(0);
    expect(JSON.parse(scored.stdout)).toMatchObject({ dataset: 'gsm8k', samples: 40, metrics: { accuracy: 100 } });
    const first = JSON.parse(readFileSync(join(out, 'rescored.jsonl'), 'utf8').split('\n')[0]);
    expect(first).toMatchObject({ correct: true });
    expect(first.extracted).toBe(first.gold);

    const page = join(out, 'board.html');
    const board = await puyu(['eval', 'leaderboard', out, '--out', page, '--resamples', '200']);
    expect(board.code).toBe(0);
    expect(readFileSync(page, 'utf8')).toContain('oracle');
  });

  it('runs from a JSON config, reports bad configs and unknown datasets as one-line errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-eval-cfg-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ models: [], datasets: ['gsm8k'], concurrency: 0 }));
    const r = await puyu(['eval', 'run', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[CONFIG_INVALID]');
    expect(r.stderr).toContain('concurrency');
    const unknown = await puyu(['eval', 'run', '--models', 'http://127.0.0.1:9@m', '--datasets', 'nosuch', '--out', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('[EVAL_UNKNOWN_DATASET]');
  });

  it('eval score --help shows the id format; run --opencompass-layout and score on the folder agree; bad files exit 2 with a code', async () => {
    const help = await puyu(['eval', 'score', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('{"id": "mmlu/anatomy/test/12", "output": "The answer is B."}');
    expect(help.stdout).toContain('lukaemon_mmlu_anatomy.json is mmlu/anatomy/test/12');
    // A hand-made MMLU of two subjects; the peer answers the letter each question names.
    const root = mkdtempSync(join(tmpdir(), 'puyu-eval-oc-cli-'));
    mkdirSync(join(root, 'mmlu', 'test'), { recursive: true });
    writeFileSync(join(root, 'mmlu', 'test', 'anatomy_test.csv'), 'a1 say=A,w,x,y,z,A\na2 say=B,w,x,y,z,C\n');
    writeFileSync(join(root, 'mmlu', 'test', 'virology_test.csv'), 'v1 say=D,w,x,y,z,D\n');
    const cfg = join(root, 'run.json');
    const peer = await startOpenAIPeer((r) => `The answer is ${[...r.prompt.matchAll(/say=([A-D])/g)].at(-1)?.[1]}.`);
    peers.push(peer);
    writeFileSync(
      cfg,
      JSON.stringify({
        models: [`${peer.url}@m`],
        datasets: [{ name: 'mmlu', fewShot: { retriever: 'zero', k: 0 } }],
        dataRoot: '.',
        outDir: 'run',
      }),
    );
    const run = await puyu(['eval', 'run', cfg, '--opencompass-layout', '--quiet']);
    expect(run.code).toBe(0);
    // Anatomy 50, virology 100: the headline is their unweighted mean, not 2 of 3 right.
    expect(run.stdout).toContain('| mmlu | naive_average | gen | 3 | 75.00* |');
    const folder = join(root, 'run', 'predictions', 'm');
    expect(existsSync(join(folder, 'lukaemon_mmlu_anatomy.json'))).toBe(true);
    const scored = await puyu(['eval', 'score', '--dataset', 'mmlu', '--predictions', folder, '--data-root', root]);
    expect(scored.code).toBe(0);
    const res = JSON.parse(scored.stdout);
    const unit = JSON.parse(readFileSync(join(root, 'run', 'run.json'), 'utf8')).results[0];
    expect(res.metrics).toEqual(unit.metrics);
    expect(res.groups).toEqual(unit.groups);
    expect(res).toMatchObject({ headline: 'mmlu', samples: 3 });
    writeFileSync(join(root, 'lukaemon_mmlu_virology.json'), '');
    const empty = await puyu([
      'eval',
      'score',
      '--dataset',
      'mmlu',
      '--predictions',
      join(root, 'lukaemon_mmlu_virology.json'),
      '--data-root',
      root,
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/\[EVAL_PREDICTIONS_EMPTY\] .*lukaemon_mmlu_virology\.json is empty: rerun/);
    const missing = await puyu(['eval', 'score', '--dataset', 'mmlu', '--predictions', join(root, 'none.jsonl'), '--data-root', root]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('[EVAL_PREDICTIONS_MISSING]');
  });

  it.skipIf(!hasData)('puyu eval judge grades one model and compares two with position swap', async () => {
    const samples = await getDataset('arc-challenge').load({ root: DATA, limit: 12 });
    const section = (p: string, name: string) => new RegExp(`\\[${name}\\]\\n([\\s\\S]*?)(?:\\n\\n\\[|$)`).exec(p)?.[1] ?? '';
    // A judge that compares each answer's letter with the reference letter it is shown.
    const right = (answer: string, ref: string) => new RegExp(`\\b${ref}\\b`).test(answer);
    const judge = await startOpenAIPeer((r) => {
      const ref = section(r.prompt, 'Reference answer').trim();
      if (r.prompt.includes('[Answer A]')) {
        const a = right(section(r.prompt, 'Answer A'), ref);
        const b = right(section(r.prompt, 'Answer B'), ref);
        return a === b ? 'Equal. [[C]]' : a ? 'A is right. [[A]]' : 'B is right. [[B]]';
      }
      return right(section(r.prompt, "Assistant's answer"), ref) ? 'Rating: [[9]]' : 'Rating: [[2]]';
    });
    peers.push(judge);
    const dir = mkdtempSync(join(tmpdir(), 'puyu-judge-cli-'));
    const good = join(dir, 'good.jsonl');
    const alwaysA = join(dir, 'a.jsonl');
    writeFileSync(good, samples.map((s) => `${JSON.stringify({ id: s.id, output: `The answer is ${s.gold}.` })}\n`).join(''));
    writeFileSync(alwaysA, samples.map((s) => `${JSON.stringify({ id: s.id, output: 'A' })}\n`).join(''));
    const aCount = samples.filter((s) => s.gold === 'A').length;
    const common = ['--judge', `${judge.url}@judge`, '--dataset', 'arc-challenge', '--data-root', DATA];
    const single = await puyu(['eval', 'judge', ...common, '--predictions', alwaysA, '--out', join(dir, 'single.jsonl')]);
    expect(single.code).toBe(0);
    expect(JSON.parse(single.stdout)).toEqual({ answers: 12, mean: (9 * aCount + 2 * (12 - aCount)) / 12, rated: 12, unrated: 0 });
    const pair = await puyu(['eval', 'judge', ...common, '--predictions', good, '--versus', alwaysA, '--out', join(dir, 'pair.jsonl')]);
    expect(pair.code).toBe(0);
    expect(JSON.parse(pair.stdout)).toMatchObject({ pairs: 12, winA: 12 - aCount, winB: 0, tie: aCount, consistency: 100 });
    expect(judge.requests.length).toBe(12 + 24);
  });

  it.skipIf(!hasData || !hasTokenizer)('puyu eval needlebench writes scores and heatmaps for a short grid', async () => {
    const peer = await startOpenAIPeer((r) => {
      const code = /[A-Z]+-\d{4}/.exec(r.prompt.split(/Question: |问题：/)[0]);
      return code ? `It is ${code[0]}.` : 'No idea.';
    });
    peers.push(peer);
    const out = mkdtempSync(join(tmpdir(), 'puyu-needle-cli-'));
    const r = await puyu([
      'eval',
      'needlebench',
      '--models',
      `${peer.url}@reader`,
      '--haystack-en',
      join(DATA, 'paulgraham-essays'),
      '--lengths',
      '400,800',
      '--depths',
      '0,50,100',
      '--kinds',
      'single',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| needlebench | score | gen | 12 | 100.00 |');
    for (const f of ['single-en.svg', 'single-en.png', 'single-zh.svg', 'single-zh.png'])
      expect(existsSync(join(out, 'heatmaps', 'reader', f))).toBe(true);

    // With --tokenizer the lengths are exact InternLM2 token counts of the whole prompt.
    const tokOut = mkdtempSync(join(tmpdir(), 'puyu-needle-tok-'));
    const model = TOKENIZER;
    const t = await puyu([
      'eval',
      'needlebench',
      '--models',
      `${peer.url}@reader`,
      '--languages',
      'zh',
      '--lengths',
      '300,600',
      '--depths',
      '50',
      '--kinds',
      'single',
      '--tokenizer',
      model,
      '--out',
      tokOut,
      '--quiet',
    ]);
    expect(t.code).toBe(0);
    const tok = SentencePieceTokenizer.load(model);
    const preds = readFileSync(join(tokOut, 'predictions', 'reader', 'needlebench.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const counts = preds.map((p) => tok.encode(p.prompt.messages[0].content).length);
    expect(counts[0]).toBeLessThanOrEqual(300);
    expect(counts[0]).toBeGreaterThanOrEqual(295);
    expect(counts[1]).toBeLessThanOrEqual(600);
    expect(counts[1]).toBeGreaterThanOrEqual(595);
  });
});
