import { existsSync } from 'node:fs';
import { EngineError } from '@puyu/core';
import { loadGgmlLibrary, setBackendThreads } from './native/ggml-lib.js';
import type { BackendPtr } from './native/pointers.js';

/**
 * ggml's BLAS backend, opt-in: node-llama-cpp ships no `libggml-blas`, so a user builds
 * it from the bundled llama.cpp source against a BLAS (bench/train/build-ggml-blas.sh)
 * and points `PUYU_GGML_BLAS` (or the `path` option) at the library. It runs MUL_MAT and
 * 2-D OUT_PROD through cblas_sgemm, with the CPU backend doing everything else under a
 * backend scheduler. Without it nothing changes: the prebuilt CPU path is the default.
 */
export class GgmlBlasBackend {
  private freed = false;

  private constructor(
    readonly ptr: BackendPtr,
    readonly path: string,
  ) {}

  /** The library named by `path` or `PUYU_GGML_BLAS`, or undefined when neither is set. */
  static fromEnv(opts: { path?: string; threads?: number } = {}): GgmlBlasBackend | undefined {
    const path = opts.path ?? blasFromEnv();
    return path ? GgmlBlasBackend.load(path, opts.threads ?? 1) : undefined;
  }

  static load(path: string, threads = 1): GgmlBlasBackend {
    if (!existsSync(path))
      throw new EngineError(
        'GGML_BLAS_MISSING',
        `no ggml BLAS backend at ${path}; build one with bench/train/build-ggml-blas.sh or unset PUYU_GGML_BLAS.`,
      );
    const lib = loadGgmlLibrary();
    const f = lib.fn;
    // loading twice registers twice; a registered BLAS is reused
    if (!f.ggml_backend_reg_by_name('BLAS') && !f.ggml_backend_load(path))
      throw new EngineError('GGML_BLAS_LOAD_FAILED', `ggml could not load the BLAS backend ${path} (built from another ggml version?).`);
    const ptr = f.ggml_backend_init_by_name('BLAS', null);
    if (!ptr) throw new EngineError('GGML_BLAS_INIT_FAILED', `the BLAS backend in ${path} did not start.`);
    try {
      setBackendThreads(lib, ptr, threads, 'BLAS');
    } catch (e) {
      f.ggml_backend_free(ptr);
      throw e;
    }
    return new GgmlBlasBackend(ptr, path);
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    loadGgmlLibrary().fn.ggml_backend_free(this.ptr);
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

/** `PUYU_GGML_BLAS` as a library path; unset, empty or `off` (which also turns the automatic build off) is none. */
export function blasFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.PUYU_GGML_BLAS;
  return v && v !== 'off' ? v : undefined;
}
