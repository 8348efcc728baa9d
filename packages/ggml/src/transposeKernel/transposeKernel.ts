import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import koffi from 'koffi';
import { asPtr, type FnPtr } from '../native/pointers.js';
import { cpuFeatureHash, readCpuIdentity } from '../nativeCpu/cpuIdentity.js';
import { findToolchain, nativeCacheRoot } from '../nativeCpu/nativeCache.js';
import { TRANSPOSE_KERNEL_C } from './kernelSource.js';

export interface TransposeKernel {
  /** `puyu_cont_tiled`, a `ggml_custom1_op_t`. */
  fn: FnPtr;
  lib: string;
}

/** What `transposeKernel()` found: the kernel, or why training copies with ggml's own CONT. */
export type TransposeKernelState = { kernel: TransposeKernel } | { kernel: undefined; reason: string };

let state: TransposeKernelState | undefined;

const RTLD_NOW = 2;

/**
 * The tiled-copy kernel (kernelSource.ts), compiled for this CPU on first use with the C compiler
 * on PATH (about a second) and cached beside the native ggml build, keyed by its source and the
 * CPU's features; loaded once per process. Where there is no compiler, the platform is not Linux,
 * the build fails, or PUYU_NATIVE_CPU=off, there is no kernel and callers fall back to ggml's
 * CONT (same values, slower): `transposeKernelState()` says why.
 */
export function transposeKernel(): TransposeKernel | undefined {
  state ??= loadOrBuild();
  return state.kernel;
}

export function transposeKernelState(): TransposeKernelState {
  state ??= loadOrBuild();
  return state;
}

function loadOrBuild(env: NodeJS.ProcessEnv = process.env): TransposeKernelState {
  if (env.PUYU_NATIVE_CPU === 'off') return { kernel: undefined, reason: 'PUYU_NATIVE_CPU=off' };
  if (process.platform !== 'linux') return { kernel: undefined, reason: `not built on ${process.platform}` };
  try {
    const flags = ['-O3', '-march=native', '-shared', '-fPIC'];
    const key = createHash('sha256')
      .update(TRANSPOSE_KERNEL_C)
      .update(flags.join(' '))
      .update(cpuFeatureHash(readCpuIdentity()))
      .digest('hex')
      .slice(0, 16);
    const dir = join(nativeCacheRoot(env), `transpose-${key}`);
    const lib = join(dir, 'libpuyu-transpose.so');
    if (!existsSync(lib)) {
      const cc = findToolchain(env).cc;
      if (!cc) return { kernel: undefined, reason: 'no C compiler on PATH (cc, gcc or clang)' };
      // Built in a folder of its own and renamed into place: a concurrent process sees all or nothing.
      const work = `${dir}.${process.pid}.tmp`;
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      writeFileSync(join(work, 'puyu-transpose.c'), TRANSPOSE_KERNEL_C);
      execFileSync(cc, [...flags, '-o', join(work, 'libpuyu-transpose.so'), join(work, 'puyu-transpose.c')], {
        stdio: 'pipe',
        timeout: 60_000,
      });
      try {
        renameSync(work, dir);
      } catch {
        rmSync(work, { recursive: true, force: true }); // another process won the race; its build is the same
      }
    }
    const libc = koffi.load('libc.so.6');
    const dlopen = libc.func('void* dlopen(const char* file, int mode)');
    const dlsym = libc.func('void* dlsym(void* handle, const char* name)');
    const handle = dlopen(lib, RTLD_NOW) as bigint | null;
    const fn = handle ? (dlsym(handle, 'puyu_cont_tiled') as bigint | null) : null;
    if (!fn) return { kernel: undefined, reason: `could not load ${lib}` };
    return { kernel: { fn: asPtr<'function'>(fn), lib } };
  } catch (e) {
    const err = e as Error & { stderr?: Buffer };
    const detail = err.stderr?.toString().trim().split('\n')[0] ?? err.message;
    return { kernel: undefined, reason: `compiling the tiled transpose failed: ${detail}` };
  }
}
