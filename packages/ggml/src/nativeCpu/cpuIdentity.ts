import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';

/** What a `-march=native` build depends on: the architecture, the CPU model and its feature flags. */
export interface CpuIdentity {
  arch: string;
  model: string;
  /** Instruction-set flags as the OS reports them (`/proc/cpuinfo` on Linux), sorted, deduplicated. */
  flags: string[];
}

/** Parses the first processor block of `/proc/cpuinfo` (x86 `flags`, Arm `Features`). */
export function parseCpuInfo(text: string, cpuArch = arch()): CpuIdentity {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const flags = [...new Set((field('flags') || field('Features')).split(/\s+/).filter(Boolean))].sort();
  const model = field('model name') || field('CPU part') || field('cpu model') || 'unknown';
  return { arch: cpuArch, model, flags };
}

/** This machine's CPU; off Linux only the architecture and model are known (the hash still differs per model). */
export function readCpuIdentity(): CpuIdentity {
  try {
    return parseCpuInfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return { arch: arch(), model: cpus()[0]?.model ?? 'unknown', flags: [] };
  }
}

/**
 * 12 hex digits that change whenever a natively tuned build could behave differently: another
 * architecture, model (`-mtune`) or any instruction-set flag. A build is only ever reused on a
 * CPU with the same hash, so an AVX-512 build never runs on a CPU without it (SIGILL). `recipe`
 * is the build recipe's version: a changed recipe never reuses an old build.
 */
export function cpuFeatureHash(cpu: CpuIdentity, recipe = 1): string {
  return createHash('sha256')
    .update(JSON.stringify([recipe, cpu.arch, cpu.model, [...cpu.flags].sort()]))
    .digest('hex')
    .slice(0, 12);
}

/** The flags that matter for ggml's kernels, for reports (`puyu doctor`). */
export function simdSummary(cpu: CpuIdentity): string {
  const wanted = /^(sse4_2|avx|avx2|fma|f16c|avx512\w*|avx_vnni|amx\w*|neon|asimd\w*|sve\w*|i8mm|bf16)$/;
  return cpu.flags.filter((f) => wanted.test(f)).join(' ') || 'unknown';
}
