import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGgmlLibrary } from '../native/ggml-lib.js';
import type { CpuBackendInfo } from './loadCpuBackend.js';

/**
 * Registers our CPU backend in ggml's process-wide registry before node-llama-cpp starts, so
 * its addon runs on it. The addon links the very libggml files we load (same folder, same
 * sonames), shares the registry, and loads backends from its folder only while no CPU device
 * is registered (`Llama` constructor → getGpuType); with ours registered first it keeps it.
 * Call it before `getLlama({ gpu: false })`. Returns undefined (and loads nothing) where the
 * addon would not use our libraries: PUYU_GGML_DIR set, or a node-llama-cpp local build present.
 */
export function useCpuBackendForNodeLlamaCpp(): CpuBackendInfo | undefined {
  if (process.env.PUYU_GGML_DIR) return undefined;
  if (hasLocalBuild()) return undefined;
  return loadGgmlLibrary().cpu;
}

/** `npx node-llama-cpp source build` output, which getLlama prefers to the prebuilt package. */
export function hasLocalBuild(): boolean {
  try {
    const dir = join(dirname(fileURLToPath(import.meta.resolve('node-llama-cpp'))), '..', 'llama', 'localBuilds');
    return existsSync(dir) && readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
