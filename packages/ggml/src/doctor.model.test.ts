import { describe, expect, it } from 'vitest';
import { formatGgmlDoctorReport, ggmlDoctorReport } from './doctor.js';
import { findToolchain } from './nativeCpu/nativeCache.js';

describe('puyu doctor (the ggml part)', () => {
  it('names the CPU backend that really loaded, what it was compiled with, and why', () => {
    const r = ggmlDoctorReport();
    expect(r.nodeLlamaCpp).toBe('node-llama-cpp@3.21.1');
    expect(r.llamaCppCommit).toMatch(/^[0-9a-f]{40}$/);
    // the library the report names is the one mapped into this process
    if (process.platform === 'linux') expect(r.loaded).toContain(r.cpuBackend.path);
    if (r.cpuBackend.kind === 'native') expect(r.cpuBackend.variant).toBe('native');
    else expect(r.cpuBackend.variant).not.toBe('native');
    expect(r.cpuBackend.why.length).toBeGreaterThan(0);
    if (process.arch === 'x64') expect(r.compiledWith.AVX2).toBe('1');
    // with a C compiler on Linux, training's transposes run the tiled kernel built for this CPU
    if (process.platform === 'linux' && findToolchain().cc && process.env.PUYU_NATIVE_CPU !== 'off')
      expect(r.transposes).toMatch(/^tiled copy kernel .*libpuyu-transpose\.so$/);
    const text = formatGgmlDoctorReport(r);
    for (const label of ['CPU backend', 'compiled with', 'native build', 'BLAS', 'transposes', 'serving']) expect(text).toContain(label);
    console.log(text);
  });
});
