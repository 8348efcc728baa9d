import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockIsStale, STALE_LOCK_MS, tryLock } from './buildLock.js';
import { nativeCmakeArgs, parseBuildProgress } from './buildNativeCpu.js';
import { cpuFeatureHash, parseCpuInfo } from './cpuIdentity.js';
import { parseBundleHeader } from './llamaCppSource.js';
import { cpuVariantOf, loadedGgmlLibraries } from './loadedLibraries.js';
import { findOnPath, type NativeCpuState, nativeCacheRoot, nativeCpuKey, nativeCpuPaths, planNativeCpu } from './nativeCache.js';

const ZEN4 = `processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9R14 96-Core Processor
flags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512_bf16

processor\t: 1
model name\t: AMD EPYC 9R14 96-Core Processor
flags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512_bf16
`;

describe('the cache key', () => {
  it('reads the model and the sorted flags of the first processor', () => {
    const cpu = parseCpuInfo(ZEN4, 'x64');
    expect(cpu.model).toBe('AMD EPYC 9R14 96-Core Processor');
    expect(cpu.flags).toEqual(['avx', 'avx2', 'avx512_bf16', 'avx512f', 'f16c', 'fma', 'fpu', 'sse4_2']);
  });

  it('changes with any instruction-set flag, the model and the recipe, not with flag order', () => {
    const a = parseCpuInfo(ZEN4, 'x64');
    const h = cpuFeatureHash(a);
    expect(h).toMatch(/^[0-9a-f]{12}$/);
    expect(cpuFeatureHash({ ...a, flags: [...a.flags].reverse() })).toBe(h);
    expect(cpuFeatureHash({ ...a, flags: a.flags.filter((f) => f !== 'avx512_bf16') })).not.toBe(h);
    expect(cpuFeatureHash({ ...a, model: 'Intel Xeon' })).not.toBe(h);
    expect(cpuFeatureHash(a, 2)).not.toBe(h);
  });

  it('is <commit 12>-<cpu hash> under $PUYU_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    const commit = '80fb11ac73e66d89eae2c6a91d8a77428fa733ed';
    expect(nativeCpuKey(commit, 'abcdef012345')).toBe('80fb11ac73e6-abcdef012345');
    expect(() => nativeCpuKey('../../etc', 'x')).toThrow(/not a git commit/);
    expect(nativeCacheRoot({ PUYU_CACHE_DIR: '/c' }, '/h')).toBe('/c/ggml-native');
    expect(nativeCacheRoot({ XDG_CACHE_HOME: '/x' }, '/h')).toBe('/x/puyu/ggml-native');
    expect(nativeCacheRoot({}, '/h')).toBe('/h/.cache/puyu/ggml-native');
    const p = nativeCpuPaths('/c/ggml-native', 'k');
    expect([p.lib, p.failed, p.lock]).toEqual(['/c/ggml-native/k/libggml-cpu.so', '/c/ggml-native/k.failed.json', '/c/ggml-native/k.lock']);
  });

  it("reads the commit of node-llama-cpp's source bundle from its header", () => {
    const sha = '80fb11ac73e66d89eae2c6a91d8a77428fa733ed';
    expect(parseBundleHeader(`# v2 git bundle\n${sha} HEAD\n\nPACK…`)).toBe(sha);
    expect(parseBundleHeader(`# v3 git bundle\n@object-format=sha1\n${'1'.repeat(40)} refs/heads/x\n${sha} HEAD\n\n`)).toBe(sha);
    expect(parseBundleHeader('PK\u0003\u0004 not a bundle')).toBeUndefined();
  });
});

describe('planNativeCpu: use the cache, build, or fall back with a reason', () => {
  const full = { cmake: '/usr/bin/cmake', cxx: '/usr/bin/g++', cc: '/usr/bin/gcc', git: '/usr/bin/git' };
  const base: NativeCpuState = {
    mode: undefined,
    platform: 'linux',
    arch: 'x64',
    ggmlDirOverride: false,
    commit: 'a'.repeat(40),
    built: false,
    failed: undefined,
    toolchain: full,
  };
  const plan = (s: Partial<NativeCpuState>) => planNativeCpu({ ...base, ...s });
  const reason = (s: Partial<NativeCpuState>) => {
    const p = plan(s);
    return p.action === 'prebuilt' ? p.reason : p.action;
  };

  it('builds when nothing is cached and the tools are there; uses a finished build', () => {
    expect(plan({})).toEqual({ action: 'build' });
    expect(plan({ built: true })).toEqual({ action: 'use' });
    expect(plan({ built: true, mode: 'auto' })).toEqual({ action: 'use' });
  });

  it('falls back, saying why, when building is impossible or not wanted', () => {
    expect(reason({ mode: 'off', built: true })).toBe('PUYU_NATIVE_CPU=off');
    expect(reason({ mode: 'sometimes' })).toMatch(/not auto or off/);
    expect(reason({ ggmlDirOverride: true, built: true })).toMatch(/PUYU_GGML_DIR/);
    expect(reason({ platform: 'darwin', arch: 'arm64' })).toMatch(/linux-x64 only \(this is darwin-arm64\)/);
    expect(reason({ commit: undefined })).toMatch(/gitRelease\.bundle/);
    expect(reason({ toolchain: { ...full, cmake: undefined, cxx: undefined } })).toBe(
      'no cmake, C++ compiler on PATH to build a native one',
    );
    expect(reason({ toolchain: { ...full, git: undefined } })).toMatch(/no git/);
  });

  it('does not rebuild after a failed build (it says how to retry), but a finished build still wins', () => {
    const failed = { reason: 'cmake exited with 1', at: '2026-01-01' };
    expect(reason({ failed })).toMatch(/failed \(cmake exited with 1\).*puyu doctor --build/);
    expect(plan({ failed, built: true })).toEqual({ action: 'use' });
  });

  it('finds tools on PATH without running them', () => {
    const have = new Set(['/opt/bin/g++', '/usr/bin/cmake']);
    const exists = (p: string) => have.has(p);
    expect(findOnPath(['c++', 'g++'], '/usr/bin:/opt/bin', exists)).toBe('/opt/bin/g++');
    expect(findOnPath(['cmake'], '/usr/bin', exists)).toBe('/usr/bin/cmake');
    expect(findOnPath(['ninja'], '/usr/bin:/opt/bin', exists)).toBeUndefined();
    expect(findOnPath(['/usr/bin/cmake'], '', exists)).toBe('/usr/bin/cmake');
  });
});

describe('the build recipe', () => {
  it('tunes with -march=native and keeps the soname of the prebuilt base', () => {
    const args = nativeCmakeArgs({ ninja: '/usr/bin/ninja', cxx: '/usr/bin/g++' });
    expect(args).toContain('-DGGML_BACKEND_DL=ON');
    expect(args).toContain('-DGGML_NATIVE=OFF');
    expect(args).toContain('-DCMAKE_CXX_FLAGS=-march=native');
    expect(args).toContain('-DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON');
    expect(args.slice(0, 2)).toEqual(['-G', 'Ninja']);
    expect(nativeCmakeArgs({})).not.toContain('Ninja');
  });

  it("reads progress from ninja's and make's lines", () => {
    expect(parseBuildProgress('[12/28] Building CXX object ggml/src/x.o')).toEqual({ done: 12, total: 28 });
    expect(parseBuildProgress('[ 45%] Building C object')).toEqual({ done: 45, total: 100 });
    expect(parseBuildProgress('-- Configuring done')).toBeUndefined();
  });
});

describe('the build lock', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets one process build; a second sees the holder until it releases', () => {
    dir = mkdtempSync(join(tmpdir(), 'puyu-lock-'));
    const path = join(dir, 'k.lock');
    const a = tryLock(path);
    expect('release' in a).toBe(true);
    const b = tryLock(path);
    expect('holder' in b && b.holder.pid).toBe(process.pid);
    if ('release' in a) a.release();
    expect('release' in tryLock(path)).toBe(true);
  });

  it('takes over a lock whose process died, or that is older than the limit', () => {
    dir = mkdtempSync(join(tmpdir(), 'puyu-lock-'));
    const path = join(dir, 'k.lock');
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), at: Date.now() }));
    const l = tryLock(path);
    expect('release' in l).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    const now = 1_000_000_000;
    expect(lockIsStale({ pid: 1, host: 'other', at: now }, now, 'me', () => true)).toBe(false);
    expect(lockIsStale({ pid: 1, host: 'other', at: now - STALE_LOCK_MS - 1 }, now, 'me', () => true)).toBe(true);
    expect(lockIsStale({ pid: 1, host: 'me', at: now }, now, 'me', () => false)).toBe(true);
    expect(lockIsStale(undefined, now)).toBe(true);
  });
});

describe('which CPU library a process runs', () => {
  it('lists the ggml libraries mapped in /proc/self/maps and names their variant', () => {
    const maps = [
      '7f00-7f10 r-xp 00000000 08:01 1 /nm/bins/linux-x64/libggml-cpu-zen4.so',
      '7f10-7f20 r--p 00000000 08:01 1 /nm/bins/linux-x64/libggml-cpu-zen4.so',
      '7f20-7f30 r-xp 00000000 08:01 2 /nm/bins/linux-x64/libggml-base.so',
      '7f30-7f40 r-xp 00000000 08:01 3 /usr/lib/libc.so.6',
      '7f40-7f50 rw-p 00000000 00:00 0 [heap]',
    ].join('\n');
    expect(loadedGgmlLibraries(maps)).toEqual(['/nm/bins/linux-x64/libggml-cpu-zen4.so', '/nm/bins/linux-x64/libggml-base.so']);
    expect(cpuVariantOf('/nm/bins/linux-x64/libggml-cpu-zen4.so')).toBe('zen4');
    expect(cpuVariantOf('/home/u/.cache/puyu/ggml-native/80fb11ac73e6-abc/libggml-cpu.so')).toBe('native');
    expect(cpuVariantOf('/opt/ggml/libggml-cpu.so')).toBe('default');
    expect(cpuVariantOf('/opt/ggml/libggml-base.so')).toBe('unknown');
  });
});
