/**
 * Harness overhead and wall time on the same 200 GSM8K questions, same endpoint, same concurrency:
 *   raw        plain `fetch` of the exact requests puyu sends (prompts rendered up front), C at a time
 *   puyu-api   `runEval` in this process (loads the dataset, infers, caches, scores, writes the report)
 *   puyu-cli   the `puyu eval run` binary (adds Node start-up and module loading)
 *   promptfoo  `promptfoo eval` (npm) on the same rendered messages, when --promptfoo DIR holds an install
 * The endpoint is bench/eval/server.ts in its own process: gold answers after --latency-ms.
 * Prints wall times (median over --reps, order rotated each repetition) and ratios to raw / promptfoo.
 *
 *   npx tsx --conditions=source bench/eval/run.ts [--n 200 --concurrency 8 --latency-ms 100 --reps 3 --promptfoo DIR]
 *   (DIR: `npm i --prefix DIR promptfoo@0.121` — 0.122+ needs Node ≥ 22.22)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sharedDataPath } from '@puyu/testing';
import { getDataset } from '../../packages/eval/src/datasets/registry.js';
import { selectShots } from '../../packages/eval/src/prompts/retrievers.js';
import { runConfigSchema } from '../../packages/eval/src/runner/RunConfig.js';
import { runEval } from '../../packages/eval/src/runner/runEval.js';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
    'latency-ms': { type: 'string', default: '100' },
    reps: { type: 'string', default: '3' },
    data: { type: 'string', default: sharedDataPath() },
    promptfoo: { type: 'string' },
  },
});
const N = Number(values.n);
const C = Number(values.concurrency);
const reps = Number(values.reps);
const DATA = values.data as string;
const MODEL = 'oracle';

function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const tsx = join(ROOT, 'node_modules/.bin/tsx');
  const child = spawn(
    tsx,
    ['--conditions=source', join(ROOT, 'bench/eval/server.ts'), '--latency-ms', values['latency-ms']!, '--data', DATA, '--n', String(N)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((ok, fail) => {
    child.stdout!.once('data', (d) => ok({ url: String(d).trim(), child }));
    child.once('exit', (code) => fail(new Error(`bench server exited (${code})`)));
  });
}

/** The chat requests the runner sends for GSM8K (template, default 4-shot fixed retriever), rendered once. */
async function requests(): Promise<{ messages: unknown[]; max_tokens: number }[]> {
  const def = getDataset('gsm8k');
  const samples = await def.load({ root: DATA, limit: N });
  const pool = await def.loadFewShotPool!({ root: DATA });
  return samples.map((s) => {
    const p = def.template.render({ sample: s, shots: selectShots(s, pool, def.fewShot), style: 'chat' });
    if (p.style !== 'chat') throw new Error('expected chat');
    return { messages: p.messages, max_tokens: def.template.maxTokens ?? 512 };
  });
}

async function raw(url: string, reqs: { messages: unknown[]; max_tokens: number }[]): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < reqs.length) {
      const r = reqs[next++];
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: r.messages, max_tokens: r.max_tokens, temperature: 0 }),
      });
      await res.json();
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
  return performance.now() - t0;
}

let lastPhases: Record<string, number> = {};
async function puyuApi(url: string): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'bench-eval-'));
  const t0 = performance.now();
  const s = await runEval(
    runConfigSchema.parse({
      models: [`${url}@${MODEL}`],
      datasets: [{ name: 'gsm8k', limit: N }],
      dataRoot: DATA,
      outDir: out,
      concurrency: C,
    }),
    { progress: { silent: true } },
  );
  const ms = performance.now() - t0;
  lastPhases = s.phases;
  if (s.results[0].score !== 100 || s.requests.sent !== N) throw new Error(`puyu-api: unexpected result ${JSON.stringify(s.results[0])}`);
  rmSync(out, { recursive: true, force: true });
  return ms;
}

function timeChild(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = ROOT): Promise<number> {
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
    });
    child.once('exit', (code) => (code === 0 ? ok(performance.now() - t0) : fail(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}`))));
  });
}

function puyuCli(url: string): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'bench-eval-cli-'));
  const args = [
    join(ROOT, 'packages/cli/bin/puyu.js'),
    'eval',
    'run',
    '--models',
    `${url}@${MODEL}`,
    '--datasets',
    'gsm8k',
    '--limit',
    String(N),
  ];
  return timeChild(process.execPath, [...args, '--concurrency', String(C), '--data-root', DATA, '--out', out, '--quiet']).finally(() =>
    rmSync(out, { recursive: true, force: true }),
  );
}

function promptfooSetup(
  dir: string,
  url: string,
  reqs: { messages: unknown[]; max_tokens: number }[],
): { bin: string; cfg: string; work: string } {
  const bin = join(dir, 'node_modules/.bin/promptfoo');
  if (!existsSync(bin)) throw new Error(`${bin} not found: npm i --prefix ${dir} promptfoo`);
  const work = mkdtempSync(join(tmpdir(), 'bench-promptfoo-'));
  const cfg = join(work, 'promptfooconfig.json');
  // One prompt that is the JSON chat array itself: promptfoo sends a JSON message array as chat messages.
  writeFileSync(
    cfg,
    JSON.stringify({
      description: 'bench/eval',
      prompts: ['{{ messages }}'],
      providers: [
        {
          id: `openai:chat:${MODEL}`,
          config: { apiBaseUrl: `${url}/v1`, apiKey: 'bench', temperature: 0, max_tokens: reqs[0].max_tokens },
        },
      ],
      tests: reqs.map((r) => ({ vars: { messages: JSON.stringify(r.messages) } })),
    }),
  );
  return { bin, cfg, work };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const server = await startServer();
try {
  const reqs = await requests();
  const pf = values.promptfoo ? promptfooSetup(values.promptfoo, server.url, reqs) : undefined;
  const peers: Record<string, () => Promise<number>> = {
    raw: () => raw(server.url, reqs),
    'puyu-api': () => puyuApi(server.url),
    'puyu-cli': () => puyuCli(server.url),
  };
  if (pf) {
    const env = {
      ...process.env,
      HOME: pf.work,
      PROMPTFOO_DISABLE_TELEMETRY: '1',
      PROMPTFOO_DISABLE_UPDATE: '1',
      PROMPTFOO_DISABLE_SHARING: '1',
      PROMPTFOO_CACHE_ENABLED: 'false',
    };
    peers.promptfoo = () =>
      timeChild(
        pf.bin,
        [
          'eval',
          '-c',
          pf.cfg,
          '--max-concurrency',
          String(C),
          '--no-cache',
          '--no-write',
          '--no-table',
          '--no-progress-bar',
          '-o',
          join(pf.work, 'out.json'),
        ],
        env,
        pf.work,
      );
  }
  const names = Object.keys(peers);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  await peers.raw(); // warm-up: connections, JIT
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      times[name].push(await peers[name]());
    }
  }
  const rawMs = median(times.raw);
  console.log(
    `\nbench/eval: ${N} GSM8K questions, concurrency ${C}, endpoint latency ${values['latency-ms']} ms, ${reps} reps (median wall)\n`,
  );
  console.log('| harness | wall s | vs raw | overhead |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const n of names) {
    const m = median(times[n]);
    console.log(`| ${n} | ${(m / 1000).toFixed(3)} | ${(m / rawMs).toFixed(3)}× | ${(((m - rawMs) / m) * 100).toFixed(1)}% of wall |`);
  }
  if (times.promptfoo)
    console.log(`\npuyu-cli / promptfoo wall: ${(median(times['puyu-cli']) / median(times.promptfoo)).toFixed(3)} (goal ≤ 1.0)`);
  console.log(
    `puyu-api phases (last rep): ${Object.entries(lastPhases)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')} ms; inference phase vs raw: ${(((lastPhases.inferMs - rawMs) / lastPhases.inferMs) * 100).toFixed(2)}% of it`,
  );
  console.log(
    `puyu-api harness overhead: ${(((median(times['puyu-api']) - rawMs) / median(times['puyu-api'])) * 100).toFixed(2)}% of wall (goal ≤ 2%)`,
  );
} finally {
  server.child.kill('SIGTERM');
}
