import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '@puyu/core';
import { Progress } from '@puyu/core/progress';
import type { LlamaCppSource } from './llamaCppSource.js';
import { NATIVE_RECIPE_VERSION, type NativeBuildInfo, type NativeCpuPaths, type Toolchain } from './nativeCache.js';

/**
 * The cmake recipe: ggml's CPU backend alone, as a module ggml's backend registry loads by path.
 * - GGML_BACKEND_DL=ON: a loadable `libggml-cpu` (what the prebuilt variants are), not linked in.
 * - GGML_NATIVE=OFF plus -march=native: ggml refuses GGML_NATIVE with BACKEND_DL (its feature
 *   score needs explicit flags), so the compiler flag does the tuning instead.
 * - GGML_OPENMP=OFF: like the prebuilt libraries, which use ggml's own thread pool.
 * - CMAKE_PLATFORM_NO_VERSIONED_SONAME: the library then needs `libggml-base.so`, the soname
 *   the prebuilt base has, so it binds to the base node-llama-cpp already loaded (not `.so.0`).
 * - CMAKE_SKIP_RPATH: no path into the deleted build tree.
 */
export function nativeCmakeArgs(tc: Toolchain): string[] {
  const march = '-march=native';
  return [
    ...(tc.ninja ? ['-G', 'Ninja', `-DCMAKE_MAKE_PROGRAM=${tc.ninja}`] : []),
    '-DCMAKE_BUILD_TYPE=Release',
    ...(tc.cc ? [`-DCMAKE_C_COMPILER=${tc.cc}`] : []),
    ...(tc.cxx ? [`-DCMAKE_CXX_COMPILER=${tc.cxx}`] : []),
    `-DCMAKE_C_FLAGS=${march}`,
    `-DCMAKE_CXX_FLAGS=${march}`,
    '-DBUILD_SHARED_LIBS=ON',
    '-DGGML_BACKEND_DL=ON',
    '-DGGML_NATIVE=OFF',
    '-DGGML_OPENMP=OFF',
    '-DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON',
    '-DCMAKE_SKIP_RPATH=ON',
    '-DLLAMA_BUILD_COMMON=OFF',
    '-DLLAMA_BUILD_TESTS=OFF',
    '-DLLAMA_BUILD_EXAMPLES=OFF',
    '-DLLAMA_BUILD_TOOLS=OFF',
    '-DLLAMA_BUILD_SERVER=OFF',
    '-DLLAMA_CURL=OFF',
  ];
}

/** Reads build progress from ninja's `[12/28]` or make's `[ 45%]` lines. */
export function parseBuildProgress(line: string): { done: number; total: number } | undefined {
  const ninja = /^\[(\d+)\/(\d+)\]/.exec(line);
  if (ninja) return { done: Number(ninja[1]), total: Number(ninja[2]) };
  const make = /^\[\s*(\d+)%\]/.exec(line);
  if (make) return { done: Number(make[1]), total: 100 };
  return undefined;
}

export interface BuildNativeCpuOptions {
  paths: NativeCpuPaths;
  source: LlamaCppSource;
  cpuHash: string;
  cpuModel: string;
  toolchain: Toolchain;
  /** The prebuilt folder whose libggml-base the result must load against (the check after building). */
  prebuiltDir: string;
  ggmlBase: string;
  ggml: string;
  /** Compile jobs; default all cores (`PUYU_NATIVE_BUILD_JOBS` overrides). */
  jobs?: number;
  /** Progress and notices go here; default stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  silent?: boolean;
  /** Hard limit for the whole build (default 20 min). */
  timeoutMs?: number;
}

/**
 * Builds the native CPU backend into a temporary folder beside the cache, checks that it loads
 * against the prebuilt ggml in a child process, then renames it into place: the cache folder
 * exists only complete. The caller holds the build lock. Throws NATIVE_BUILD_FAILED with the
 * log's tail; the whole log stays in `<cache>/<key>.build.log`.
 */
export async function buildNativeCpu(o: BuildNativeCpuOptions): Promise<NativeBuildInfo> {
  const { paths, toolchain: tc } = o;
  await mkdir(paths.root, { recursive: true });
  await removeAbandonedBuilds(paths.root);
  const tmp = await mkdtemp(join(paths.root, `.build-${paths.key}-`));
  const logPath = join(paths.root, `${paths.key}.build.log`);
  const log = createWriteStream(logPath);
  const deadline = Date.now() + (o.timeoutMs ?? 20 * 60_000);
  const t0 = performance.now();
  const jobs = o.jobs ?? (Number(process.env.PUYU_NATIVE_BUILD_JOBS) || availableParallelism());
  const cmakeArgs = nativeCmakeArgs(tc);
  try {
    const src = join(tmp, 'llama.cpp');
    const build = join(tmp, 'build');
    await run(tc.git as string, ['-c', 'advice.detachedHead=false', 'clone', '--quiet', o.source.bundle, src], log, deadline);
    await run(tc.git as string, ['-C', src, 'checkout', '--quiet', o.source.commit], log, deadline);
    await run(tc.cmake as string, ['-S', src, '-B', build, ...cmakeArgs], log, deadline);
    const progress = o.silent ? undefined : new ProgressOnce(o.stream);
    await run(tc.cmake as string, ['--build', build, '--target', 'ggml-cpu', '-j', String(jobs)], log, deadline, (line) =>
      progress?.line(line),
    );
    progress?.finish();
    const built = join(build, 'bin', 'libggml-cpu.so');
    await checkLoads(built, o, log, deadline);
    const out = join(tmp, 'out');
    await mkdir(out);
    await copyFile(built, join(out, 'libggml-cpu.so'));
    const info: NativeBuildInfo = {
      commit: o.source.commit,
      cpuHash: o.cpuHash,
      cpuModel: o.cpuModel,
      recipe: NATIVE_RECIPE_VERSION,
      cmakeArgs,
      compiler: compilerVersion(tc.cxx as string),
      compileSeconds: Math.round((performance.now() - t0) / 100) / 10,
      builtAt: new Date().toISOString(),
    };
    await writeFile(join(out, 'build.json'), `${JSON.stringify(info, null, 2)}\n`);
    try {
      await rename(out, paths.dir); // atomic: readers see no folder or a complete one
    } catch (e) {
      // another builder finished first (it held a stale-looking lock): its result is as good
      if (!['EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
    return info;
  } catch (e) {
    const tail = await closeAndTail(log, logPath);
    const why = (e as Error).message;
    await writeFile(paths.failed, `${JSON.stringify({ reason: why, at: new Date().toISOString(), log: logPath }, null, 2)}\n`).catch(
      () => undefined,
    );
    throw new EngineError('NATIVE_BUILD_FAILED', `building the native ggml CPU backend failed: ${why}. Log: ${logPath}\n${tail}`, {
      cause: e,
    });
  } finally {
    log.end();
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Build folders left by a killed build (older than an hour; a running one is younger). */
async function removeAbandonedBuilds(root: string): Promise<void> {
  for (const name of await readdir(root)) {
    if (!name.startsWith('.build-')) continue;
    const p = join(root, name);
    const s = await stat(p).catch(() => undefined);
    if (s && Date.now() - s.mtimeMs > 3600_000) await rm(p, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], log: WriteStream, deadline: number, onLine?: (line: string) => void): Promise<void> {
  log.write(`$ ${cmd} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(1, deadline - Date.now()));
    let rest = '';
    const onData = (d: Buffer) => {
      log.write(d);
      if (!onLine) return;
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(new Error(`${cmd.split('/').pop()} ${args[0]} ${signal ? `was killed (${signal}; time limit?)` : `exited with ${code}`}`));
    });
  });
}

/** Loads the new library against the prebuilt ggml in a child: a bad build must not take this process down. */
async function checkLoads(lib: string, o: BuildNativeCpuOptions, log: WriteStream, deadline: number): Promise<void> {
  const script = `
    const { default: koffi } = await import(${JSON.stringify(import.meta.resolve('koffi'))});
    const [base, ggml, lib] = process.argv.slice(1);
    koffi.load(base);
    const g = koffi.load(ggml);
    const reg = g.func('void* ggml_backend_load(const char* path)')(lib);
    if (!reg) { console.error('ggml_backend_load returned NULL'); process.exit(3); }
    const name = g.func('const char* ggml_backend_reg_name(void* reg)')(reg);
    const be = g.func('void* ggml_backend_init_by_name(const char* name, const char* params)')('CPU', null);
    if (name !== 'CPU' || !be) { console.error('registered ' + name + ', init ' + be); process.exit(4); }
  `;
  await run(process.execPath, ['--input-type=module', '-e', script, o.ggmlBase, o.ggml, lib], log, deadline).catch((e) => {
    throw new Error(`the built library does not load against ${o.prebuiltDir} (${(e as Error).message})`);
  });
}

function compilerVersion(cxx: string): string {
  try {
    return execFileSync(cxx, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return cxx;
  }
}

async function closeAndTail(log: WriteStream, path: string): Promise<string> {
  await new Promise<void>((r) => log.end(r));
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-15).join('\n');
}

/** A Progress bar started once the build tool has said how many steps there are. */
class ProgressOnce {
  private bar: Progress | undefined;
  constructor(private readonly stream?: NodeJS.WritableStream & { isTTY?: boolean }) {}
  line(l: string): void {
    const p = parseBuildProgress(l);
    if (!p) return;
    this.bar ??= new Progress({ total: p.total, label: 'compiling ggml-cpu', unit: 'files', stream: this.stream });
    this.bar.update(p.done);
  }
  finish(): void {
    this.bar?.finish();
  }
}
