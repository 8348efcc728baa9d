import { describe, expect, it } from 'vitest';
import { GGML_TYPE_F32, GgmlContext } from './GgmlContext.js';
import { GgmlCpuBackend } from './GgmlCpuBackend.js';
import { outProdToMulMat } from './outProdToMulMat.js';

function filled(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

/** Computes out_prod(a, b) as built, then rewritten, and returns both results. */
function bothWays(aNe: number[], bNe: number[], transposeB: boolean): { want: Float32Array; got: Float32Array; rewritten: number } {
  using backend = GgmlCpuBackend.create({ threads: 1 });
  const f = backend.lib.fn;
  const run = (rewrite: boolean) => {
    using ctx = new GgmlContext({ maxTensors: 64, graphSize: 64 });
    const a = ctx.tensor(GGML_TYPE_F32, aNe);
    const bStored = ctx.tensor(GGML_TYPE_F32, transposeB ? [bNe[1], bNe[0], ...bNe.slice(2)] : bNe);
    const b = transposeB ? f.ggml_transpose(ctx.ptr, bStored) : bStored;
    const out = f.ggml_out_prod(ctx.ptr, a, b);
    let graph = f.ggml_new_graph_custom(ctx.ptr, 64, false);
    f.ggml_build_forward_expand(graph, out);
    let rewritten = 0;
    if (rewrite) ({ graph, rewritten } = outProdToMulMat(f, ctx.ptr, graph, 64));
    const buf = f.ggml_backend_alloc_ctx_tensors(ctx.ptr, backend.ptr);
    if (!buf) throw new Error('could not allocate the test tensors');
    try {
      const av = filled(
        aNe.reduce((x, y) => x * y, 1),
        1,
      );
      const bv = filled(
        bNe.reduce((x, y) => x * y, 1),
        2,
      );
      f.ggml_backend_tensor_set(a, av, 0, av.byteLength);
      f.ggml_backend_tensor_set(bStored, bv, 0, bv.byteLength);
      expect(f.ggml_backend_graph_compute(backend.ptr, graph)).toBe(0);
      const res = new Float32Array(f.ggml_nelements(out));
      f.ggml_backend_tensor_get(out, res, 0, res.byteLength);
      return { res, rewritten };
    } finally {
      f.ggml_backend_buffer_free(buf);
    }
  };
  const want = run(false).res;
  const { res: got, rewritten } = run(true);
  return { want, got, rewritten };
}

function maxRel(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / scale;
}

// The shapes ggml's autograd produces for a matrix product's two gradients, and the
// broadcast one of grouped-query attention (a's batch divides b's).
describe('outProdToMulMat', () => {
  it('weight gradient: out_prod(x [n,k], dy [m,k])', () => {
    const { want, got, rewritten } = bothWays([24, 40], [16, 40], false);
    expect(rewritten).toBe(1);
    expect(maxRel(want, got)).toBeLessThan(1e-6);
  });

  it('input gradient: out_prod(W [n,m], transpose(dy)) reads dy without a copy', () => {
    const { want, got } = bothWays([24, 16], [40, 16], true);
    expect(want.length).toBe(24 * 40);
    expect(maxRel(want, got)).toBeLessThan(1e-6);
  });

  it('batched with broadcast over b (GQA): out_prod(a [n,k,2], b [m,k,4])', () => {
    const { want, got } = bothWays([8, 12, 2], [10, 12, 4], false);
    expect(want.length).toBe(8 * 10 * 4);
    expect(maxRel(want, got)).toBeLessThan(1e-6);
  });
});
