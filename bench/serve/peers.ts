/**
 * Starting and stopping the peers of the serving bench, each a child process of the bench:
 * our server (puyuPeer.ts), llama.cpp's llama-server, and raw node-llama-cpp (rawPeer.ts).
 * Every server listens on loopback only.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { ROOT } from './benchModel.js';

export interface PeerSettings {
  model: string;
  /** Parallel sequences (llama-server: slots), each of `contextSize` tokens. */
  sequences: number;
  contextSize: number;
  threads: number;
  batchSize: number;
  kvCacheType: 'f16' | 'q8_0';
}

export interface ServerPeer {
  name: string;
  url: string;
  /** The server process, for its CPU time. */
  pid: number;
  close(): Promise<void>;
}

/**
 * Node with tsx as a loader, not the tsx CLI: the CLI runs the script in a grandchild process,
 * and the CPU-time columns must read the process that really serves.
 */
const NODE_TSX = [process.execPath, '--conditions=source', '--import', 'tsx'] as const;

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc. On a shared
 * machine this is the steadier measure: wall time counts the other workers' load, CPU time does not.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

/** The first JSON line a child prints, or its stderr if it dies first. */
function firstJsonLine(child: ChildProcess, lines: Interface, what: string): Promise<Record<string, unknown>> {
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      if (!line.startsWith('{')) return;
      lines.off('line', onLine);
      resolve(JSON.parse(line));
    };
    lines.on('line', onLine);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${stderr}`)));
  });
}

/** Says so on stderr when a peer dies while the bench still needs it (a crash is a result too). */
function reportDeath(child: ChildProcess, name: string): { stopping: boolean } {
  const state = { stopping: false };
  let tail = '';
  child.stderr?.on('data', (d) => {
    tail = (tail + d).slice(-2000);
  });
  child.once('exit', (code, signal) => {
    if (!state.stopping) console.error(`${name} exited unexpectedly (code ${code}, signal ${signal}); its stderr ends:\n${tail}`);
  });
  return state;
}

function stop(child: ChildProcess, how: 'stdin' | 'signal'): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    if (how === 'stdin') child.stdin?.end();
    else child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** Our server; `extra` goes to startServer as is (e.g. `{coalesceSteps: false}`). */
export async function startPuyu(name: string, s: PeerSettings, extra: Record<string, unknown> = {}): Promise<ServerPeer> {
  const opts = { ...s, ...extra };
  const [node, ...flags] = NODE_TSX;
  const child = spawn(node, [...flags, join(ROOT, 'bench/serve/puyuPeer.ts'), JSON.stringify(opts)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const ready = await firstJsonLine(child, createInterface({ input: child.stdout! }), name);
  const death = reportDeath(child, name);
  const close = () => {
    death.stopping = true;
    return stop(child, 'stdin');
  };
  return { name, url: ready.url as string, pid: child.pid as number, close };
}

/** Where the llama-server binary is, or why it is not used. */
export function findLlamaServer(): { path: string } | { reason: string } {
  const env = process.env.LLAMA_SERVER;
  if (env) return existsSync(env) ? { path: env } : { reason: `LLAMA_SERVER=${env} does not exist` };
  const cached = join(homedir(), '.cache/puyu/llama.cpp/build/bin/llama-server');
  if (existsSync(cached)) return { path: cached };
  return { reason: `no llama-server at ${cached} and LLAMA_SERVER is unset: run bench/serve/build-llama-server.sh` };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** llama-server with the settings our Engine gives node-llama-cpp (non-unified KV: one stream per slot, as ours). */
export async function startLlamaServer(bin: string, s: PeerSettings): Promise<ServerPeer> {
  const port = await freePort();
  const kv = s.kvCacheType;
  const args = [
    ...['-m', s.model, '--host', '127.0.0.1', '--port', String(port)],
    ...['-c', String(s.contextSize * s.sequences), '-np', String(s.sequences), '--no-kv-unified'],
    ...['-t', String(s.threads), '-tb', String(s.threads), '-b', String(s.batchSize), '-ub', String(s.batchSize)],
    ...['-fa', kv === 'f16' ? 'off' : 'on', '-ctk', kv, '-ctv', kv],
    ...['--no-webui', '--log-disable'],
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited (${child.exitCode}):\n${stderr}`);
    const ok = await fetch(`${url}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop(child, 'signal');
      throw new Error(`llama-server did not become healthy in 120 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const death = reportDeath(child, 'llama-server');
  const close = () => {
    death.stopping = true;
    return stop(child, 'signal');
  };
  return { name: 'llama-server', url, pid: child.pid as number, close };
}

export interface RawPeer {
  pid: number;
  run(prompt: number[], maxTokens: number): Promise<{ ttftMs: number; e2eMs: number; tokens: number }>;
  close(): Promise<void>;
}

/** Raw node-llama-cpp (rawPeer.ts): one job at a time over stdin/stdout. */
export async function startRaw(s: PeerSettings): Promise<RawPeer> {
  const [node, ...flags] = NODE_TSX;
  const child = spawn(node, [...flags, join(ROOT, 'bench/serve/rawPeer.ts'), JSON.stringify(s)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout! });
  await firstJsonLine(child, lines, 'raw node-llama-cpp');
  const iter = lines[Symbol.asyncIterator]();
  return {
    pid: child.pid as number,
    async run(prompt, maxTokens) {
      child.stdin!.write(`${JSON.stringify({ prompt, maxTokens })}\n`);
      const { value } = await iter.next();
      return JSON.parse(value as string);
    },
    close: () => stop(child, 'stdin'),
  };
}

/** Decode batches and the sequence evaluations they carried, from our server's /metrics. */
export async function batchCounters(url: string): Promise<{ batches: number; items: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { batches: read('puyu_decode_batches_total'), items: read('puyu_decode_batch_items_total') };
}
