import { describe, expect, it } from 'vitest';
import { blasFromEnv, GgmlBlasBackend } from './GgmlBlasBackend.js';
import { GGML_TYPE_F32, GgmlContext } from './GgmlContext.js';
import { GgmlCpuBackend } from './GgmlCpuBackend.js';
import type { BackendPtr } from './native/pointers.js';
import { autoBlasState, findOpenBlas } from './nativeCpu/autoBlas.js';

// The BLAS backend is named (PUYU_GGML_BLAS) or built automatically where OpenBLAS is installed
// (autoBlas.ts): without it the CPU path must be untouched, and with it products must agree
// with the CPU.
const auto = autoBlasState();
const blasPath = blasFromEnv() ?? auto.path;
if (!blasPath) console.warn(`the BLAS product check skips: ${auto.path === undefined ? auto.reason : ''}`);

describe('GgmlBlasBackend', () => {
  it('is absent unless asked for, and a wrong path is a clean error', () => {
    const saved = process.env.PUYU_GGML_BLAS;
    delete process.env.PUYU_GGML_BLAS;
    try {
      expect(GgmlBlasBackend.fromEnv()).toBeUndefined();
      expect(() => GgmlBlasBackend.load('/nonexistent/libggml-blas.so')).toThrow(expect.objectContaining({ code: 'GGML_BLAS_MISSING' }));
    } finally {
      if (saved !== undefined) process.env.PUYU_GGML_BLAS = saved;
    }
  });

  it('is built automatically wherever OpenBLAS, a C++ compiler and git are installed (Linux x64)', () => {
    const canBuild = process.platform === 'linux' && process.arch === 'x64' && !!findOpenBlas() && process.env.PUYU_NATIVE_CPU !== 'off';
    if (canBuild && process.env.PUYU_GGML_BLAS !== 'off') expect(auto).toEqual({ path: expect.stringMatching(/libggml-blas\.so$/) });
    else expect(auto.path).toBeUndefined();
  });

  it.runIf(!!blasPath)('computes MUL_MAT and OUT_PROD like the CPU backend (through a scheduler)', () => {
    using cpu = GgmlCpuBackend.create({ threads: 1 });
    using blas = GgmlBlasBackend.load(blasPath as string, 1);
    const f = cpu.lib.fn;
    const run = (backends: BackendPtr[]) => {
      using ctx = new GgmlContext({ maxTensors: 16, graphSize: 16 });
      const a = ctx.tensor(GGML_TYPE_F32, [64, 48]);
      const b = ctx.tensor(GGML_TYPE_F32, [64, 40]);
      const mm = f.ggml_mul_mat(ctx.ptr, a, b); // [48, 40]
      const op = f.ggml_out_prod(ctx.ptr, mm, b); // [48, 64]: Σ over the 40 columns
      const graph = f.ggml_new_graph_custom(ctx.ptr, 16, false);
      f.ggml_build_forward_expand(graph, op);
      const sched = f.ggml_backend_sched_new(backends, null, backends.length, 16, false, false);
      if (!sched) throw new Error('ggml_backend_sched_new failed');
      try {
        expect(f.ggml_backend_sched_alloc_graph(sched, graph)).toBe(true);
        const av = Float32Array.from({ length: 64 * 48 }, (_, i) => Math.sin(i));
        const bv = Float32Array.from({ length: 64 * 40 }, (_, i) => Math.cos(i * 0.7));
        f.ggml_backend_tensor_set(a, av, 0, av.byteLength);
        f.ggml_backend_tensor_set(b, bv, 0, bv.byteLength);
        expect(f.ggml_backend_sched_graph_compute(sched, graph)).toBe(0);
        const out = new Float32Array(48 * 64);
        f.ggml_backend_tensor_get(op, out, 0, out.byteLength);
        return out;
      } finally {
        f.ggml_backend_sched_free(sched);
      }
    };
    const want = run([cpu.ptr]);
    const got = run([blas.ptr, cpu.ptr]);
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]));
      diff = Math.max(diff, Math.abs(want[i] - got[i]));
    }
    expect(diff / scale).toBeLessThan(1e-5);
  });
});
