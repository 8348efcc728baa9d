import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Bumped whenever the cmake recipe in buildNativeCpu.ts changes, so an old build is never
 * taken for the new recipe's output. Folded into the CPU part of the cache key.
 */
export const NATIVE_RECIPE_VERSION = 1;

/** `$PUYU_CACHE_DIR/ggml-native`, else `${XDG_CACHE_HOME:-~/.cache}/puyu/ggml-native`: outside the repository, so clones share it. */
export function nativeCacheRoot(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const puyu = env.PUYU_CACHE_DIR || join(env.XDG_CACHE_HOME || join(home, '.cache'), 'puyu');
  return join(puyu, 'ggml-native');
}

/** `<llama.cpp commit, 12 digits>-<CPU feature hash>`: a build is reused only for the same source on the same kind of CPU. */
export function nativeCpuKey(commit: string, cpuHash: string): string {
  if (!/^[0-9a-f]{12,40}$/.test(commit)) throw new Error(`not a git commit: ${commit}`);
  return `${commit.slice(0, 12)}-${cpuHash}`;
}

export interface NativeCpuPaths {
  root: string;
  key: string;
  /** The finished build; it exists only once complete (renamed into place). */
  dir: string;
  lib: string;
  info: string;
  /** Written when a build failed, so later runs fall back at once instead of compiling again. */
  failed: string;
  lock: string;
}

export function nativeCpuPaths(root: string, key: string): NativeCpuPaths {
  const dir = join(root, key);
  return {
    root,
    key,
    dir,
    lib: join(dir, libFileName()),
    info: join(dir, 'build.json'),
    failed: join(root, `${key}.failed.json`),
    lock: join(root, `${key}.lock`),
  };
}

export function libFileName(platform = process.platform): string {
  return platform === 'darwin' ? 'libggml-cpu.dylib' : platform === 'win32' ? 'ggml-cpu.dll' : 'libggml-cpu.so';
}

/** What a finished build records beside its library (`build.json`). */
export interface NativeBuildInfo {
  commit: string;
  cpuHash: string;
  cpuModel: string;
  recipe: number;
  cmakeArgs: string[];
  compiler: string;
  compileSeconds: number;
  builtAt: string;
}

export interface FailedBuild {
  reason: string;
  at: string;
  log?: string;
}

/** The tools a build needs, each as found on PATH (undefined when missing). */
export interface Toolchain {
  cmake?: string;
  cxx?: string;
  cc?: string;
  git?: string;
  ninja?: string;
}

/** Finds an executable on PATH (the first of `names`), without running anything. */
export function findOnPath(
  names: readonly string[],
  pathEnv = process.env.PATH ?? '',
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  for (const name of names) {
    if (name.includes('/')) {
      if (exists(name)) return name;
      continue;
    }
    for (const dir of pathEnv.split(delimiter)) {
      if (dir && exists(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

export function findToolchain(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): Toolchain {
  const path = env.PATH ?? '';
  const pick = (envName: string, names: string[]) => findOnPath(env[envName] ? [env[envName] as string, ...names] : names, path, exists);
  return {
    cmake: pick('CMAKE', ['cmake']),
    cxx: pick('CXX', ['c++', 'g++', 'clang++']),
    cc: pick('CC', ['cc', 'gcc', 'clang']),
    git: findOnPath(['git'], path, exists),
    ninja: findOnPath(['ninja'], path, exists),
  };
}

/** Everything the decision depends on; gathered by `nativeCpuState`, pure here so it is unit-tested. */
export interface NativeCpuState {
  /** `PUYU_NATIVE_CPU`: unset/`auto` builds when it can; `off` always uses the prebuilt variants. */
  mode: string | undefined;
  platform: string;
  arch: string;
  /** `PUYU_GGML_DIR` is set: the user chose the whole library set, ours would not match it. */
  ggmlDirOverride: boolean;
  /** The llama.cpp commit node-llama-cpp ships, undefined when its source bundle is missing. */
  commit: string | undefined;
  built: boolean;
  failed: FailedBuild | undefined;
  toolchain: Toolchain;
}

export type NativeCpuPlan = { action: 'use' } | { action: 'build' } | { action: 'prebuilt'; reason: string };

/** Use a cached build, build one, or stay on the prebuilt variants — and say why. */
export function planNativeCpu(s: NativeCpuState): NativeCpuPlan {
  const mode = (s.mode ?? 'auto').toLowerCase();
  if (mode === 'off' || mode === '0' || mode === 'false') return { action: 'prebuilt', reason: 'PUYU_NATIVE_CPU=off' };
  if (mode !== 'auto' && mode !== 'on' && mode !== '1' && mode !== 'true')
    return { action: 'prebuilt', reason: `PUYU_NATIVE_CPU=${s.mode} is not auto or off` };
  if (s.ggmlDirOverride) return { action: 'prebuilt', reason: 'PUYU_GGML_DIR names the libraries to load' };
  if (s.platform !== 'linux' || s.arch !== 'x64')
    return { action: 'prebuilt', reason: `native builds are set up for linux-x64 only (this is ${s.platform}-${s.arch})` };
  if (!s.commit) return { action: 'prebuilt', reason: "node-llama-cpp's llama.cpp source bundle (llama/gitRelease.bundle) is missing" };
  if (s.built) return { action: 'use' };
  if (s.failed) return { action: 'prebuilt', reason: `the native build failed (${s.failed.reason}); \`puyu doctor --build\` retries` };
  const missing = (['cmake', 'cxx', 'cc', 'git'] as const).filter((t) => !s.toolchain[t]);
  if (missing.length)
    return {
      action: 'prebuilt',
      reason: `no ${missing.map((t) => (t === 'cxx' ? 'C++ compiler' : t === 'cc' ? 'C compiler' : t)).join(', ')} on PATH to build a native one`,
    };
  return { action: 'build' };
}

export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
