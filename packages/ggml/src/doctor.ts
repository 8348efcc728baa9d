import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blasFromEnv, GgmlBlasBackend } from './GgmlBlasBackend.js';
import { loadGgmlLibrary } from './native/ggml-lib.js';
import { autoBlasState } from './nativeCpu/autoBlas.js';
import { cpuBackendFeatures } from './nativeCpu/cpuFeatures.js';
import { simdSummary } from './nativeCpu/cpuIdentity.js';
import { hasLocalBuild } from './nativeCpu/forNodeLlamaCpp.js';
import type { CpuBackendInfo } from './nativeCpu/loadCpuBackend.js';
import { loadedGgmlLibraries } from './nativeCpu/loadedLibraries.js';
import { type FailedBuild, readJson } from './nativeCpu/nativeCache.js';
import { nativeCpuContext } from './nativeCpu/nativeCpuContext.js';
import { transposeKernelState } from './transposeKernel/transposeKernel.js';

/** What `puyu doctor` prints about the native layer: which libraries, CPU backend and BLAS run, and why. */
export interface GgmlDoctorReport {
  nodeLlamaCpp: string;
  libraryDir: string;
  llamaCppCommit: string | undefined;
  cpu: { model: string; arch: string; simd: string; featureHash: string };
  cpuBackend: CpuBackendInfo;
  /** As the loaded CPU backend reports itself (AVX512, AVX512_BF16, LLAMAFILE, REPACK, …). */
  compiledWith: Record<string, string>;
  nativeBuild: {
    cacheDir: string | undefined;
    state: string;
    toolchain: Record<string, string | undefined>;
  };
  blas: string;
  /** Training's transposes: the tiled kernel compiled for this CPU, or ggml's CONT and why. */
  transposes: string;
  serving: string;
  /** ggml / llama.cpp shared libraries mapped into this process. */
  loaded: string[];
}

/** Loads the native libraries as serve/train would and reports what ran and why. */
export function ggmlDoctorReport(): GgmlDoctorReport {
  const ctx = nativeCpuContext();
  const lib = loadGgmlLibrary();
  const { toolchain } = ctx.state;
  let state: string;
  if (ctx.info) state = `built ${ctx.info.builtAt} in ${ctx.info.compileSeconds} s with ${ctx.info.compiler}`;
  else if (ctx.paths && existsSync(ctx.paths.failed))
    state = `failed: ${readJson<FailedBuild>(ctx.paths.failed)?.reason ?? '?'} (log ${ctx.paths.root}/${ctx.paths.key}.build.log; \`puyu doctor --build\` retries)`;
  else if (ctx.plan.action === 'prebuilt') state = `not built: ${ctx.plan.reason}`;
  else state = 'not built yet (`puyu doctor --build`, or the next serve/train/quantize, compiles it)';
  return {
    nodeLlamaCpp: nodeLlamaCppVersion(),
    libraryDir: lib.binaries.dir,
    llamaCppCommit: ctx.source?.commit,
    cpu: { model: ctx.cpu.model, arch: ctx.cpu.arch, simd: simdSummary(ctx.cpu), featureHash: ctx.cpuHash },
    cpuBackend: lib.cpu,
    compiledWith: cpuBackendFeatures(lib),
    nativeBuild: { cacheDir: ctx.paths?.dir, state, toolchain: { ...toolchain } },
    blas: blasState(),
    transposes: transposesState(),
    serving: process.env.PUYU_GGML_DIR
      ? 'node-llama-cpp loads its own prebuilt variant (PUYU_GGML_DIR is set, so ours is not registered for it)'
      : hasLocalBuild()
        ? 'node-llama-cpp uses its own local build (node_modules/node-llama-cpp/llama/localBuilds), so ours is not registered for it'
        : `node-llama-cpp (puyu serve, CPU) runs on the same CPU backend: Puyu registers it in ggml's registry before getLlama`,
    loaded: loadedGgmlLibraries(),
  };
}

export function formatGgmlDoctorReport(r: GgmlDoctorReport): string {
  const b = r.cpuBackend;
  const tools = Object.entries(r.nativeBuild.toolchain)
    .map(([k, v]) => `${k} ${v ? '✓' : '✗'}`)
    .join(', ');
  const rows: [string, string][] = [
    ['node-llama-cpp', `${r.nodeLlamaCpp}, prebuilt libraries in ${r.libraryDir}`],
    ['llama.cpp', r.llamaCppCommit ? `${r.llamaCppCommit} (the source node-llama-cpp ships)` : 'source bundle missing'],
    ['CPU', `${r.cpu.model} (${r.cpu.arch}); ${r.cpu.simd}; feature hash ${r.cpu.featureHash}`],
    ['CPU backend', `${b.kind === 'native' ? 'native build' : `prebuilt variant ${b.variant}`}: ${b.path ?? '?'}`],
    ['  why', b.why],
    [
      '  compiled with',
      Object.entries(r.compiledWith)
        .map(([k, v]) => (v === '1' ? k : `${k}=${v}`))
        .join(' ') || '?',
    ],
    ['native build', `${r.nativeBuild.state}${r.nativeBuild.cacheDir ? `\n${' '.repeat(16)}${r.nativeBuild.cacheDir}` : ''}`],
    ['  toolchain', tools],
    ['BLAS', r.blas],
    ['transposes', r.transposes],
    ['serving', r.serving],
    ['loaded', r.loaded.join(`\n${' '.repeat(16)}`) || '(not readable on this OS)'],
  ];
  return rows.map(([k, v]) => `${k.padEnd(15)} ${v}`).join('\n');
}

function blasState(): string {
  const path = blasFromEnv();
  if (!path) {
    const auto = autoBlasState();
    if (auto.path !== undefined)
      return `ggml BLAS backend built against this machine's OpenBLAS, used by fp32 full-parameter training (bf16 and serving do not use it; PUYU_GGML_BLAS=off turns it off): ${auto.path}`;
    return `none: ggml's own CPU kernels (${auto.reason}; PUYU_GGML_BLAS=<libggml-blas.so> names one)`;
  }
  try {
    const blas = GgmlBlasBackend.fromEnv();
    blas?.free();
    return `ggml BLAS backend from ${path} (PUYU_GGML_BLAS; training only, serving does not use it)`;
  } catch (e) {
    return `PUYU_GGML_BLAS=${path} does not load: ${(e as Error).message}`;
  }
}

function nodeLlamaCppVersion(): string {
  try {
    const pkg = join(dirname(fileURLToPath(import.meta.resolve('node-llama-cpp'))), '..', 'package.json');
    return `node-llama-cpp@${(JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version}`;
  } catch {
    return 'node-llama-cpp (version unknown)';
  }
}

function transposesState(): string {
  const t = transposeKernelState();
  return t.kernel
    ? `tiled copy kernel compiled for this CPU (training's backward products): ${t.kernel.lib}`
    : `ggml's CONT (slower, same values): ${t.reason}`;
}
