import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findGgmlBinaries } from '../native/binaries.js';
import { findLlamaCppSource } from './llamaCppSource.js';
import { findToolchain, nativeCacheRoot } from './nativeCache.js';

/** Where OpenBLAS's header and library sit, when the machine has them (Debian's libopenblas-dev). */
export interface OpenBlasFiles {
  include: string;
  lib: string;
}

/** Debian/Ubuntu (multiarch, pthread variant first), then plain /usr and /usr/local layouts. */
export function findOpenBlas(exists: (path: string) => boolean = existsSync, multiarch = 'x86_64-linux-gnu'): OpenBlasFiles | undefined {
  const includes = [
    `/usr/include/${multiarch}/openblas-pthread`,
    `/usr/include/${multiarch}`,
    '/usr/include/openblas',
    '/usr/include',
    '/usr/local/include',
  ];
  const libs = [`/usr/lib/${multiarch}/openblas-pthread`, `/usr/lib/${multiarch}`, '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  const include = includes.find((d) => exists(join(d, 'cblas.h')));
  const lib = libs.find((d) => exists(join(d, 'libopenblas.so')));
  return include && lib ? { include, lib } : undefined;
}

export type AutoBlasState = { path: string } | { path: undefined; reason: string };

let state: AutoBlasState | undefined;

/**
 * ggml's BLAS backend for fp32 training, built automatically where the machine has OpenBLAS and a
 * C++ compiler: `ggml-blas.cpp` from the llama.cpp source node-llama-cpp ships (its git bundle,
 * offline), linked against the prebuilt `libggml-base` it will load beside and against OpenBLAS,
 * about 5 s once, cached beside the native CPU backend. bench:train measured fp32 0.86–1.27×
 * PyTorch with it against 0.68–0.96× without (bench/train/README.md). apt packages are outside
 * `npm install`'s reach, so this is a bonus where OpenBLAS is installed, never a requirement:
 * without it (or with `PUYU_GGML_BLAS=off`, or `PUYU_NATIVE_CPU=off`) the CPU backend runs, and
 * `autoBlasState()` says why. An explicit `PUYU_GGML_BLAS=<lib>` is used as given instead.
 */
export function autoBlasState(env: NodeJS.ProcessEnv = process.env): AutoBlasState {
  state ??= buildOrFind(env);
  return state;
}

function buildOrFind(env: NodeJS.ProcessEnv): AutoBlasState {
  if (env.PUYU_GGML_BLAS === 'off') return { path: undefined, reason: 'PUYU_GGML_BLAS=off' };
  if (env.PUYU_NATIVE_CPU === 'off') return { path: undefined, reason: 'PUYU_NATIVE_CPU=off' };
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return { path: undefined, reason: `not built on ${process.platform}-${process.arch}` };
  const blas = findOpenBlas();
  if (!blas) return { path: undefined, reason: 'no OpenBLAS headers and library (apt-get install libopenblas-dev)' };
  const tc = findToolchain(env);
  if (!tc.cxx || !tc.git) return { path: undefined, reason: 'no C++ compiler or git on PATH' };
  const source = findLlamaCppSource();
  if (!source) return { path: undefined, reason: "node-llama-cpp's llama.cpp source bundle is missing" };
  const base = findGgmlBinaries().ggmlBase;
  const flags = [
    '-O2',
    '-std=c++17',
    '-shared',
    '-fPIC',
    '-DGGML_BACKEND_DL',
    '-DGGML_BACKEND_SHARED',
    '-DGGML_BACKEND_BUILD',
    '-DGGML_BLAS_USE_OPENBLAS',
  ];
  const key = createHash('sha256')
    .update(JSON.stringify([source.commit, blas, base, flags]))
    .digest('hex')
    .slice(0, 16);
  const dir = join(nativeCacheRoot(env), `blas-${source.commit.slice(0, 12)}-${key}`);
  const lib = join(dir, 'libggml-blas.so');
  if (existsSync(lib)) return { path: lib };
  const work = `${dir}.${process.pid}.tmp`;
  try {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const src = join(work, 'llama.cpp');
    const opts = { stdio: 'pipe' as const, timeout: 120_000 };
    execFileSync(tc.git, ['-c', 'advice.detachedHead=false', 'clone', '--quiet', '--no-checkout', source.bundle, src], opts);
    execFileSync(tc.git, ['-C', src, 'checkout', '--quiet', source.commit, '--', 'ggml/include', 'ggml/src'], opts);
    const out = join(work, 'out');
    mkdirSync(out);
    execFileSync(
      tc.cxx,
      [
        ...flags,
        `-I${join(src, 'ggml/include')}`,
        `-I${join(src, 'ggml/src')}`,
        `-I${blas.include}`,
        join(src, 'ggml/src/ggml-blas/ggml-blas.cpp'),
        '-o',
        join(out, 'libggml-blas.so'),
        base,
        `-L${blas.lib}`,
        '-lopenblas',
        `-Wl,-rpath,${blas.lib}`,
      ],
      opts,
    );
    try {
      renameSync(out, dir); // atomic: readers see no folder or a complete one
    } catch {
      // another process finished first; its build is the same
    }
    return existsSync(lib) ? { path: lib } : { path: undefined, reason: `the build left no ${lib}` };
  } catch (e) {
    const err = e as Error & { stderr?: Buffer };
    const detail = err.stderr?.toString().trim().split('\n').slice(-1)[0] || err.message;
    return { path: undefined, reason: `building ggml's BLAS backend failed: ${detail}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
