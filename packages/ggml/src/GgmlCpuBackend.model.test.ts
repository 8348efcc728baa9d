import { describe, expect, it } from 'vitest';
import { GGML_TYPE_F32, GgmlContext } from './GgmlContext.js';
import { GgmlCpuBackend } from './GgmlCpuBackend.js';

function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

describe('ggml CPU backend through koffi', () => {
  it('computes mul_mat and its gradient like plain TS loops', () => {
    using backend = GgmlCpuBackend.create({ threads: 1 });
    expect(backend.name).toBe('CPU');
    const f = backend.lib.fn;
    const [K, M, N] = [32, 24, 8];
    using ctx = new GgmlContext({ maxTensors: 16 });
    // ggml order: A has ne [K, M] (M rows of length K); mul_mat(A, B) has ne [M, N].
    const a = ctx.tensor(GGML_TYPE_F32, [K, M], 'a');
    const b = ctx.tensor(GGML_TYPE_F32, [K, N], 'b');
    f.ggml_set_param(a);
    const buf = f.ggml_backend_alloc_ctx_tensors(ctx.ptr, backend.ptr);
    if (!buf) throw new Error('could not allocate the test tensors');
    const av = rand(K * M, 1);
    const bv = rand(K * N, 2);
    f.ggml_backend_tensor_set(a, av, 0, av.byteLength);
    f.ggml_backend_tensor_set(b, bv, 0, bv.byteLength);

    using cctx = new GgmlContext({ maxTensors: 64, graphSize: 64, grads: true });
    const c = f.ggml_mul_mat(cctx.ptr, a, b);
    f.ggml_set_output(c); // otherwise the allocator may reuse its memory for later nodes
    const loss = f.ggml_sum(cctx.ptr, c);
    f.ggml_set_loss(loss);
    const graph = f.ggml_new_graph_custom(cctx.ptr, 64, true);
    f.ggml_build_forward_expand(graph, loss);
    f.ggml_build_backward_expand(cctx.ptr, graph, null);
    const galloc = f.ggml_gallocr_new(f.ggml_backend_get_default_buffer_type(backend.ptr));
    if (!galloc) throw new Error('ggml_gallocr_new failed');
    try {
      expect(f.ggml_gallocr_alloc_graph(galloc, graph)).toBe(true);
      f.ggml_graph_reset(graph); // sets d(loss)=1, zeroes the other grads
      expect(f.ggml_backend_graph_compute(backend.ptr, graph)).toBe(0);

      const got = new Float32Array(M * N);
      f.ggml_backend_tensor_get(c, got, 0, got.byteLength);
      let maxDiff = 0;
      for (let n = 0; n < N; n++)
        for (let m = 0; m < M; m++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += av[m * K + k] * bv[n * K + k];
          maxDiff = Math.max(maxDiff, Math.abs(s - got[n * M + m]));
        }
      expect(maxDiff).toBeLessThan(1e-5);

      // d(sum(A·Bᵀ))/dA[m][k] = Σ_n B[n][k]
      const grad = f.ggml_graph_get_grad(graph, a);
      if (!grad) throw new Error('a has no gradient');
      const gv = new Float32Array(K * M);
      f.ggml_backend_tensor_get(grad, gv, 0, gv.byteLength);
      let gDiff = 0;
      for (let m = 0; m < M; m++)
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let n = 0; n < N; n++) s += bv[n * K + k];
          gDiff = Math.max(gDiff, Math.abs(s - gv[m * K + k]));
        }
      expect(gDiff).toBeLessThan(1e-5);
    } finally {
      f.ggml_gallocr_free(galloc);
      f.ggml_backend_buffer_free(buf);
    }
  });

  it('refuses a bad thread count with a coded error', () => {
    expect(() => GgmlCpuBackend.create({ threads: 0 })).toThrow(expect.objectContaining({ code: 'GGML_BAD_THREADS' }));
  });
});
