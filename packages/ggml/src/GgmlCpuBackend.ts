import { EngineError } from '@puyu/core';
import { type GgmlLibrary, loadGgmlLibrary, setBackendThreads } from './native/ggml-lib.js';
import type { BackendPtr } from './native/pointers.js';

const GGML_BACKEND_DEVICE_TYPE_CPU = 0;

/** Threads default to 1: on small shared machines more threads often spin-wait (see ARCHITECTURE.md). */
export function defaultThreads(): number {
  const env = Number(process.env.PUYU_THREADS);
  return Number.isInteger(env) && env > 0 ? env : 1;
}

/** The ggml CPU backend with an explicit lifetime and thread count. */
export class GgmlCpuBackend {
  readonly lib: GgmlLibrary;
  readonly ptr: BackendPtr;
  private freed = false;

  private constructor(
    lib: GgmlLibrary,
    ptr: BackendPtr,
    readonly threads: number,
  ) {
    this.lib = lib;
    this.ptr = ptr;
  }

  static create(opts: { threads?: number } = {}): GgmlCpuBackend {
    const lib = loadGgmlLibrary();
    const threads = opts.threads ?? defaultThreads();
    if (!Number.isInteger(threads) || threads < 1)
      throw new EngineError('GGML_BAD_THREADS', `threads must be a positive integer, got ${threads}.`);
    const ptr = lib.fn.ggml_backend_init_by_type(GGML_BACKEND_DEVICE_TYPE_CPU, null);
    if (!ptr) throw new EngineError('GGML_BACKEND_INIT_FAILED', 'ggml could not start its CPU backend.');
    try {
      setBackendThreads(lib, ptr, threads);
    } catch (e) {
      lib.fn.ggml_backend_free(ptr);
      throw e;
    }
    return new GgmlCpuBackend(lib, ptr, threads);
  }

  get name(): string {
    return this.lib.fn.ggml_backend_name(this.ptr);
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.lib.fn.ggml_backend_free(this.ptr);
  }

  [Symbol.dispose](): void {
    this.free();
  }
}
