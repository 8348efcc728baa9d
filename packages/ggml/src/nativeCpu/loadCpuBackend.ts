import type { BackendRegPtr } from '../native/pointers.js';
import { cpuVariantOf, loadedGgmlLibraries } from './loadedLibraries.js';
import { type NativeCpuContext, nativeCpuContext } from './nativeCpuContext.js';

/** Which ggml CPU backend a process runs on, and why (for `puyu doctor` and every bench). */
export interface CpuBackendInfo {
  kind: 'native' | 'prebuilt';
  /** `native`, or the prebuilt variant ggml picked (`zen4`, `haswell`, …). */
  variant: string;
  /** The library file, when known. */
  path: string | undefined;
  why: string;
}

interface LoaderFns {
  ggml_backend_load: (path: string) => BackendRegPtr | null;
  ggml_backend_load_all_from_path: (dir: string) => void;
}

/**
 * Registers ggml's CPU backend: our native build when the cache has one for this CPU and
 * llama.cpp commit, else the best prebuilt variant in `dir` (ggml scores them). Only the
 * cache is consulted here; building is `ensureNativeCpuBackend`'s job, at the entry points.
 */
export function loadCpuBackend(fn: LoaderFns, dir: string, ctx: NativeCpuContext = nativeCpuContext()): CpuBackendInfo {
  let why: string;
  const plan = ctx.plan;
  if (plan.action === 'use') {
    if (ctx.paths && fn.ggml_backend_load(ctx.paths.lib)) {
      const secs = ctx.info?.compileSeconds;
      return {
        kind: 'native',
        variant: 'native',
        path: ctx.paths.lib,
        why: `built natively for this CPU${secs ? ` (compiled in ${secs} s)` : ''}, cache hit ${ctx.paths.dir}`,
      };
    }
    why = `the native build ${ctx.paths?.lib} did not load; delete its folder to rebuild it`;
  } else if (plan.action === 'build') {
    why = 'no native build for this CPU yet (`puyu doctor --build`, or the next serve/train/quantize, compiles one)';
  } else {
    why = plan.reason;
  }
  fn.ggml_backend_load_all_from_path(dir);
  const path = loadedGgmlLibraries().find((p) => p.startsWith(dir) && cpuVariantOf(p) !== 'unknown');
  return { kind: 'prebuilt', variant: path ? cpuVariantOf(path) : 'unknown', path, why };
}
