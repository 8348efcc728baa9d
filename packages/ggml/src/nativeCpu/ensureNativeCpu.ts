import { mkdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { findGgmlBinaries } from '../native/binaries.js';
import { tryLock } from './buildLock.js';
import { buildNativeCpu } from './buildNativeCpu.js';
import { type NativeCpuContext, nativeCpuContext } from './nativeCpuContext.js';

export interface EnsureNativeCpuOptions {
  /** Compile when nothing is cached (default true); false only looks the cache up. */
  build?: boolean;
  /** Retry a build that failed before (`puyu doctor --build`), and throw if it fails again. */
  retry?: boolean;
  /** How long to wait for another process's build before running on the prebuilt variants (default 15 min). */
  waitMs?: number;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  silent?: boolean;
}

export interface NativeCpuOutcome {
  kind: 'native' | 'prebuilt';
  /** `cache hit`, `built now (N s)`, or why the prebuilt variants are used. */
  why: string;
  ctx: NativeCpuContext;
}

let noticed = false;

/**
 * Makes sure a native CPU backend is in the cache when this machine can build one, before the
 * native libraries load (serve, train and quantize call it at their start). Builds at most once
 * per machine, CPU and llama.cpp commit: one process builds under a lock while others wait.
 * Never throws for a failed build unless `retry` is set: it prints one line and the process runs
 * on the prebuilt variants.
 */
export async function ensureNativeCpuBackend(opts: EnsureNativeCpuOptions = {}): Promise<NativeCpuOutcome> {
  const out = opts.stream ?? process.stderr;
  const say = (line: string) => {
    if (!opts.silent) out.write(`puyu: ${line}\n`);
  };
  let ctx = nativeCpuContext();
  if (opts.retry && ctx.paths) {
    rmSync(ctx.paths.failed, { force: true });
    ctx = nativeCpuContext();
  }
  const fallback = (reason: string): NativeCpuOutcome => {
    if (!noticed || opts.retry) say(`ggml CPU backend: prebuilt variants (${reason})`);
    noticed = true;
    return { kind: 'prebuilt', why: reason, ctx };
  };
  if (ctx.plan.action === 'use') return { kind: 'native', why: 'cache hit', ctx };
  if (ctx.plan.action === 'prebuilt') return fallback(ctx.plan.reason);
  if (opts.build === false) return fallback('no native build for this CPU yet; `puyu doctor --build` compiles one');
  const paths = ctx.paths;
  const source = ctx.source;
  if (!paths || !source) return fallback('no llama.cpp source');
  const deadline = Date.now() + (opts.waitMs ?? 15 * 60_000);
  let waitingSaid = false;
  for (;;) {
    mkdirSync(paths.root, { recursive: true });
    const lock = tryLock(paths.lock);
    if ('release' in lock) {
      try {
        ctx = nativeCpuContext(); // another process may have finished (or failed) while we waited
        if (ctx.plan.action === 'use') return { kind: 'native', why: 'built by another process', ctx };
        if (ctx.plan.action === 'prebuilt') return fallback(ctx.plan.reason);
        const bins = findGgmlBinaries();
        say(
          `compiling a native ggml CPU backend for this CPU, once per machine (about 1 min on an idle 2-core machine, several under load; PUYU_NATIVE_CPU=off skips it) → ${paths.dir}`,
        );
        const info = await buildNativeCpu({
          paths,
          source,
          cpuHash: ctx.cpuHash,
          cpuModel: ctx.cpu.model,
          toolchain: ctx.state.toolchain,
          prebuiltDir: bins.dir,
          ggmlBase: bins.ggmlBase,
          ggml: bins.ggml,
          stream: out,
          silent: opts.silent,
        });
        say(`native ggml CPU backend ready (compiled in ${info.compileSeconds} s)`);
        return { kind: 'native', why: `built now (${info.compileSeconds} s)`, ctx: nativeCpuContext() };
      } catch (e) {
        if (opts.retry) throw e;
        return fallback(
          (e as Error).message.split('\n')[0].replace(/^building the native ggml CPU backend failed/, 'the native build failed'),
        );
      } finally {
        lock.release();
      }
    }
    if (Date.now() > deadline) return fallback(`another process (pid ${lock.holder.pid}) is still building the native one`);
    if (!waitingSaid) say(`waiting for another process (pid ${lock.holder.pid}) compiling the native ggml CPU backend…`);
    waitingSaid = true;
    await sleep(2000);
  }
}
