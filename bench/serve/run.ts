/**
 * Serving throughput (issue 3): our server against llama.cpp's llama-server on one GGUF, the same
 * thread count, context, batch size and KV type, driven by the same OpenAI streaming
 * `/v1/completions` requests (token-array prompts, greedy, `ignore_eos`, `max_tokens` N) at 1, 4,
 * 8, 16 concurrent streams. Peers, each a child process, rotated every repetition:
 *   puyu          our server as it ships (plain generations on its direct decode loop, steps coalesced)
 *   puyu-generator our server with `directDecode: false`: node-llama-cpp's generator lined up by the step
 *                 barrier (what shipped before the direct loop); not in the default peers
 *   puyu-stock    our server with `coalesceSteps: false` (node-llama-cpp's own dispatch): the "before"
 *   llama-server  built by bench/serve/build-llama-server.sh (or LLAMA_SERVER=/path); skipped with the reason when absent
 *   raw           node-llama-cpp `sequence.evaluate` in a process of its own, single stream only:
 *                 the floor for our server's single-stream overhead
 * Prints Markdown tables: aggregate generated tokens/s, p50/p95 TTFT, sequences per decode (our
 * batch counters), and ratios per repetition as ranges (the machine is shared and noisy).
 *
 *   npm run bench:serve [-- --tokens 128 --levels 1,4,8,16 --per-stream 2 --reps 3 --threads 1 \
 *                          --ctx 512 --kv f16 --hidden 512 --layers 8 --type f16 --json out.json]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ggmlCpuLines, ggmlCpuOfPid } from '../shared/ggmlCpu.js';
import { benchModel, promptTokens } from './benchModel.js';
import { type LevelResult, quantile, resent, runLevel } from './client.js';
import {
  batchCounters,
  cpuSeconds,
  findLlamaServer,
  type PeerSettings,
  type RawPeer,
  type ServerPeer,
  startLlamaServer,
  startPuyu,
  startRaw,
} from './peers.js';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '128' },
    levels: { type: 'string', default: '1,4,8,16' },
    'per-stream': { type: 'string', default: '2' },
    reps: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    ctx: { type: 'string', default: '512' },
    batch: { type: 'string', default: '512' },
    'prompt-tokens': { type: 'string', default: '48' },
    kv: { type: 'string', default: 'f16' },
    hidden: { type: 'string', default: '512' },
    layers: { type: 'string', default: '8' },
    type: { type: 'string', default: 'f16' },
    peers: { type: 'string', default: 'puyu,puyu-stock,llama-server,raw' },
    json: { type: 'string' },
  },
});
const N = Number(values.tokens);
const levels = values.levels.split(',').map(Number);
const perStream = Number(values['per-stream']);
const reps = Number(values.reps);
const promptLen = Number(values['prompt-tokens']);
const kv = values.kv as 'f16' | 'q8_0';
if (kv !== 'f16' && kv !== 'q8_0') throw new Error(`--kv must be f16 or q8_0, not ${values.kv}`);
const wanted = new Set(values.peers.split(','));

const model = await benchModel({ hidden: Number(values.hidden), layers: Number(values.layers), type: values.type as 'f16' });
const settings: PeerSettings = {
  model,
  sequences: Math.max(...levels),
  contextSize: Number(values.ctx),
  threads: Number(values.threads),
  batchSize: Number(values.batch),
  kvCacheType: kv,
};
console.log(`model ${model}`);
console.log(
  `settings: ${settings.sequences} sequences × ctx ${settings.contextSize}, batch ${settings.batchSize}, ` +
    `threads ${settings.threads}, KV ${kv}; ${promptLen}-token prompts, ${N} generated tokens each, ` +
    `${perStream} requests per stream, ${reps} repetitions, levels ${levels.join('/')}`,
);

const servers: ServerPeer[] = [];
let raw: RawPeer | undefined;
try {
  if (wanted.has('puyu')) servers.push(await startPuyu('puyu', settings));
  if (wanted.has('puyu-generator')) servers.push(await startPuyu('puyu-generator', settings, { directDecode: false }));
  if (wanted.has('puyu-stock')) servers.push(await startPuyu('puyu-stock', settings, { coalesceSteps: false }));
  if (wanted.has('llama-server')) {
    const found = findLlamaServer();
    if ('path' in found) servers.push(await startLlamaServer(found.path, settings));
    else console.log(`llama-server column skipped: ${found.reason}`);
  }
  if (wanted.has('raw')) raw = await startRaw(settings);
  for (const l of ggmlCpuLines()) console.log(l);
  for (const p of [...servers, ...(raw ? [{ name: 'raw', pid: raw.pid }] : [])])
    console.log(`ggml CPU library of ${p.name}: ${ggmlCpuOfPid(p.pid)}`);

  // Warm-up: page the weights in and let every allocator settle before anything is timed.
  for (const s of servers) await runLevel(s.url, 2, 1, (k) => promptTokens(900_000 + k, promptLen), 16);
  if (raw) await raw.run(promptTokens(900_000, promptLen), 16);

  type Row = { rep: number; level: LevelResult; cpuS: number; batches?: number; items?: number };
  const results = new Map<string, Map<number, Row[]>>();
  const add = (peer: string, c: number, row: Row) => {
    const byLevel = results.get(peer) ?? new Map<number, Row[]>();
    results.set(peer, byLevel);
    byLevel.set(c, [...(byLevel.get(c) ?? []), row]);
  };
  const prompt = (rep: number, c: number) => (k: number) => promptTokens(rep * 100_000 + c * 1_000 + k, promptLen);

  for (let rep = 0; rep < reps; rep++) {
    const order = servers.map((_, i) => servers[(i + rep) % servers.length]);
    for (const c of levels) {
      for (const s of order) {
        const before = s.name.startsWith('puyu') ? await batchCounters(s.url) : undefined;
        const cpu0 = cpuSeconds(s.pid);
        const level = await runLevel(s.url, c, perStream, prompt(rep, c), N);
        const cpuS = cpuSeconds(s.pid) - cpu0;
        // Every request must generate exactly N tokens, or tokens/s would compare different work.
        const short = level.requests.filter((q) => q.tokens !== N).length;
        if (short) console.log(`WARNING ${s.name} streams ${c}: ${short} requests did not generate ${N} tokens`);
        const after = before ? await batchCounters(s.url) : undefined;
        add(s.name, c, {
          rep,
          level,
          cpuS,
          batches: after && before && after.batches - before.batches,
          items: after && before && after.items - before.items,
        });
      }
      if (c === 1 && raw) {
        const requests = [];
        const t0 = performance.now();
        const cpu0 = cpuSeconds(raw.pid);
        for (let k = 0; k < perStream; k++) requests.push(await raw.run(prompt(rep, 1)(k), N));
        const cpuS = cpuSeconds(raw.pid) - cpu0;
        const wallMs = performance.now() - t0;
        const tokens = requests.reduce((a, r) => a + r.tokens, 0);
        add('raw', 1, { rep, level: { concurrency: 1, wallMs, tokens, requests }, cpuS });
      }
      process.stdout.write(`rep ${rep + 1}/${reps} streams ${c} done\n`);
    }
  }

  printTables(results);
  if (resent) console.log(`\n${resent} requests were re-sent after a kept-alive connection closed before any answer.`);
  if (values.json)
    writeFileSync(
      values.json,
      JSON.stringify(
        { settings, N, perStream, reps, results: Object.fromEntries([...results].map(([k, v]) => [k, Object.fromEntries(v)])) },
        null,
        1,
      ),
    );

  function printTables(res: Map<string, Map<number, Row[]>>) {
    const tps = (r: Row) => (r.level.tokens / r.level.wallMs) * 1000;
    // Generated tokens per CPU-second of the server process: steadier than wall time when other
    // workers share the cores (it does not count the time the server waited for a core).
    const tpc = (r: Row) => r.level.tokens / r.cpuS;
    const med = (xs: number[]) => quantile(xs, 0.5);
    const range = (xs: number[], d = 0) => (xs.length ? `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}` : '–');
    const cell = (xs: number[], d = 0) => `${med(xs).toFixed(d)} [${range(xs, d)}]`;
    const rows = (peer: string, c: number) => res.get(peer)?.get(c) ?? [];
    const peers = [...res.keys()].filter((p) => p !== 'raw');

    console.log(`\n### Aggregate throughput (${N} tokens per request, ${reps} reps; median [min–max])\n`);
    console.log('| streams | peer | gen tok/s (wall) | gen tok per server CPU-s | TTFT p50 ms | TTFT p95 ms | seqs/decode |');
    console.log('|---:|---|---:|---:|---:|---:|---:|');
    for (const c of levels) {
      for (const p of peers) {
        const rs = rows(p, c);
        if (!rs.length) continue;
        const ttfts = rs.flatMap((r) => r.level.requests.map((q) => q.ttftMs));
        const spd = rs.filter((r) => r.batches).map((r) => (r.items as number) / (r.batches as number));
        console.log(
          `| ${c} | ${p} | ${cell(rs.map(tps))} | ${cell(rs.map(tpc))} | ${quantile(ttfts, 0.5).toFixed(1)} | ${quantile(ttfts, 0.95).toFixed(1)} | ${spd.length ? cell(spd, 2) : '–'} |`,
        );
      }
    }

    // Ratios are taken per repetition (peers of one repetition ran back to back), then summarised.
    const ratio = (a: string, b: string, c: number, f: (r: Row) => number) => {
      const rb = rows(b, c);
      return rows(a, c).flatMap((x) => rb.filter((y) => y.rep === x.rep).map((y) => f(x) / f(y)));
    };
    const ttftP50 = (r: Row) =>
      quantile(
        r.level.requests.map((q) => q.ttftMs),
        0.5,
      );
    const pairs = [
      ['puyu', 'llama-server'],
      ['puyu-stock', 'llama-server'],
      ['puyu', 'puyu-stock'],
      ['puyu-generator', 'llama-server'],
      ['puyu', 'puyu-generator'],
    ].filter(([a, b]) => res.has(a) && res.has(b));
    if (pairs.length) {
      console.log('\n### Ratios per repetition (median [min–max]); tok/s > 1 and TTFT < 1 favour the first peer\n');
      console.log('| streams | pair | tok/s (wall) | tok per CPU-s | TTFT p50 |');
      console.log('|---:|---|---:|---:|---:|');
      for (const c of levels) {
        for (const [a, b] of pairs) {
          console.log(
            `| ${c} | ${a} / ${b} | ${cell(ratio(a, b, c, tps), 2)} | ${cell(ratio(a, b, c, tpc), 2)} | ${cell(ratio(a, b, c, ttftP50), 2)} |`,
          );
        }
      }
    }

    if (res.has('raw')) {
      // Single stream, per request: N tokens over the whole request (prefill + decode), and decode only.
      const perReq = (p: string) => rows(p, 1).flatMap((r) => r.level.requests);
      const e2eTps = (q: { tokens: number; e2eMs: number }) => (q.tokens / q.e2eMs) * 1000;
      const decTps = (q: { tokens: number; e2eMs: number; ttftMs: number }) => ((q.tokens - 1) / (q.e2eMs - q.ttftMs)) * 1000;
      console.log(`\n### Single stream vs raw node-llama-cpp (${reps * perStream} requests each; median [min–max])\n`);
      console.log(
        '| peer | tok/s (whole request) | tok/s (decode only) | TTFT p50 ms | tok per CPU-s | overhead vs raw, wall | overhead vs raw, CPU |',
      );
      console.log('|---|---:|---:|---:|---:|---:|---:|');
      // Overhead = how much longer (wall) or how much more CPU a token costs than in raw node-llama-cpp.
      const overhead = (p: string, f: (r: Row) => number) =>
        p === 'raw'
          ? '–'
          : `${cell(
              ratio('raw', p, 1, f).map((x) => (x - 1) * 100),
              1,
            )}%`;
      for (const p of ['raw', ...peers]) {
        const qs = perReq(p);
        if (!qs.length) continue;
        console.log(
          `| ${p} | ${cell(qs.map(e2eTps))} | ${cell(qs.map(decTps))} | ${quantile(
            qs.map((q) => q.ttftMs),
            0.5,
          ).toFixed(1)} | ${cell(rows(p, 1).map(tpc))} | ${overhead(p, tps)} | ${overhead(p, tpc)} |`,
        );
      }
    }
  }
} finally {
  for (const s of servers) await s.close();
  await raw?.close();
}
