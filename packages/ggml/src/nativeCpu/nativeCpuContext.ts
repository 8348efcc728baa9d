import { existsSync } from 'node:fs';
import { type CpuIdentity, cpuFeatureHash, readCpuIdentity } from './cpuIdentity.js';
import { findLlamaCppSource, type LlamaCppSource } from './llamaCppSource.js';
import {
  type FailedBuild,
  findToolchain,
  NATIVE_RECIPE_VERSION,
  type NativeBuildInfo,
  type NativeCpuPaths,
  type NativeCpuPlan,
  type NativeCpuState,
  nativeCacheRoot,
  nativeCpuKey,
  nativeCpuPaths,
  planNativeCpu,
  readJson,
} from './nativeCache.js';

/** Where this machine stands: its CPU, the source, the cache entry, and the plan that follows. */
export interface NativeCpuContext {
  cpu: CpuIdentity;
  cpuHash: string;
  source: LlamaCppSource | undefined;
  /** Undefined without a source (no commit, no key). */
  paths: NativeCpuPaths | undefined;
  info: NativeBuildInfo | undefined;
  state: NativeCpuState;
  plan: NativeCpuPlan;
}

/** Gathers the state from the machine (cheap: no process is started) and plans. */
export function nativeCpuContext(env: NodeJS.ProcessEnv = process.env): NativeCpuContext {
  const cpu = readCpuIdentity();
  const cpuHash = cpuFeatureHash(cpu, NATIVE_RECIPE_VERSION);
  const source = findLlamaCppSource();
  const paths = source ? nativeCpuPaths(nativeCacheRoot(env), nativeCpuKey(source.commit, cpuHash)) : undefined;
  const info = paths && existsSync(paths.lib) ? readJson<NativeBuildInfo>(paths.info) : undefined;
  const state: NativeCpuState = {
    mode: env.PUYU_NATIVE_CPU,
    platform: process.platform,
    arch: process.arch,
    ggmlDirOverride: Boolean(env.PUYU_GGML_DIR),
    commit: source?.commit,
    built: info?.commit === source?.commit && info !== undefined,
    failed: paths ? readJson<FailedBuild>(paths.failed) : undefined,
    toolchain: findToolchain(env),
  };
  return { cpu, cpuHash, source, paths, info, state, plan: planNativeCpu(state) };
}
