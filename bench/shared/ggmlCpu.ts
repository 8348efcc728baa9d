/**
 * What every bench prints about the native layer (issue 10): the CPU, which ggml CPU backend each
 * peer runs on (our native build or which prebuilt variant, read from the peer's own memory map),
 * and the load average with a warning when the machine is busy.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { cpuVariantOf, loadedGgmlLibraries, loadGgmlLibrary } from '@puyu/ggml';

/** The CPU, the load average (warning when above the core count) and ours' ggml CPU backend with the reason. */
export function ggmlCpuLines(): string[] {
  const cpu = loadGgmlLibrary().cpu; // the children load the same one: same cache, same CPU
  const load = loadavg();
  const cores = availableParallelism();
  const lines = [
    `CPU: ${cpus()[0]?.model ?? '?'} × ${cores}; load average ${load.map((x) => x.toFixed(2)).join(' ')}`,
    `ggml CPU backend (ours): ${cpu.kind === 'native' ? 'native build' : `prebuilt variant ${cpu.variant}`} (${cpu.why})`,
  ];
  if (load[0] > cores)
    lines.push(`WARNING: load average ${load[0].toFixed(1)} > ${cores} cores: figures are noisy, ratios per repetition matter`);
  return lines;
}

/** The ggml CPU library a running process (a peer) has mapped (`native`, `zen4`, … and its path), and any BLAS. */
export function ggmlCpuOfPid(pid: number): string {
  let maps: string;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return 'unknown (no /proc)';
  }
  const libs = loadedGgmlLibraries(maps).filter((p) => cpuVariantOf(p) !== 'unknown');
  const cpu = libs.length ? libs.map((p) => `${cpuVariantOf(p)} (${p})`).join(', ') : 'CPU backend linked in (no separate libggml-cpu)';
  const blas = [
    ...new Set(
      maps
        .split('\n')
        .map((l) => /\S*\/(lib(?:ggml-blas|openblas|blas|mkl_rt)[\w.-]*\.so[\w.]*)$/.exec(l)?.[1])
        .filter(Boolean),
    ),
  ];
  return `${cpu}; BLAS: ${blas.length ? blas.join(', ') : 'none'}`;
}
