/**
 * The embedding endpoint of the bench: `puyu serve` on a quickstart-size GGUF (a tiny InternLM2,
 * hidden 128, 4 layers, trained by `puyu quickstart` on the shipped public-domain corpus), started
 * as a child process on a free port and stopped at the end. When no such model exists yet it is
 * made once with `puyu quickstart` into .cache/bench-assistant/ (a few minutes at 1 thread).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BENCH_DIR } from './questions.js';

export const ROOT = join(BENCH_DIR, '..', '..');
export const CLI = [process.execPath, '--conditions=source', '--import', 'tsx', join(BENCH_DIR, 'puyuCli.ts')] as const;

export interface ServedModel {
  url: string;
  name: string;
  pid: number;
  stop(): Promise<void>;
}

/** The quickstart GGUF: the given path, the repo's runs/quickstart one, or one made now. */
export function quickstartModel(given?: string, steps = 300): string {
  if (given) {
    if (!existsSync(given)) throw new Error(`--model ${given} does not exist`);
    return given;
  }
  for (const dir of [join(ROOT, 'runs/quickstart'), join(ROOT, '.cache/bench-assistant/quickstart')]) {
    const gguf = join(dir, 'pretrain', 'model-q8_0.gguf');
    if (existsSync(gguf)) return gguf;
  }
  const out = join(ROOT, '.cache/bench-assistant/quickstart');
  process.stderr.write(`no quickstart model yet: running puyu quickstart --steps ${steps} --out ${out}\n`);
  const [node, ...flags] = CLI;
  execFileSync(node, [...flags, 'quickstart', '--steps', String(steps), '--out', out, '--threads', '1'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return join(out, 'pretrain', 'model-q8_0.gguf');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function startServe(model: string, opts: { threads: number; ctxSize: number; timeoutMs?: number }): Promise<ServedModel> {
  const port = await freePort();
  const name = 'quickstart';
  const [node, ...flags] = CLI;
  const args = ['serve', model, '--port', String(port), '--name', name, '--threads', String(opts.threads)];
  args.push('--ctx-size', String(opts.ctxSize), '--sequences', '1');
  const child: ChildProcess = spawn(node, [...flags, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  for (;;) {
    const ok = await fetch(`${url}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    const dead = await Promise.race([exited, new Promise((r) => setTimeout(() => r('alive'), 500))]);
    if (dead !== 'alive') throw new Error(`puyu serve exited (${dead}) before it was ready:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`puyu serve was not ready after ${(opts.timeoutMs ?? 180_000) / 1000} s:\n${stderr}`);
    }
  }
  return {
    url,
    name,
    pid: child.pid as number,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
