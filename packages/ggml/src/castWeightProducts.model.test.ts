import { describe, expect, it } from 'vitest';
import { castWeightProducts, GGML_TYPE_BF16 } from './castWeightProducts.js';
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

/** loss = Σ (W·x)² with W [in 64, out 32] and x [64, 16] both trained: gradients of W and x, f32 or bf16 products. */
/** `bf16`: cast W's products as a weight's; `activations`: W is not named, so only the activations option can cast. */
function gradients(bf16: boolean | 'activations' | 'unnamed'): { dW: Float32Array; dx: Float32Array; cast: number } {
  using backend = GgmlCpuBackend.create({ threads: 1 });
  const f = backend.lib.fn;
  using ctx = new GgmlContext({ maxTensors: 256, graphSize: 256, grads: true });
  const W = ctx.tensor(GGML_TYPE_F32, [64, 32]);
  const x = ctx.tensor(GGML_TYPE_F32, [64, 16]);
  f.ggml_set_param(W);
  f.ggml_set_param(x);
  const y = f.ggml_mul_mat(ctx.ptr, W, x);
  const loss = f.ggml_sum(ctx.ptr, f.ggml_mul(ctx.ptr, y, y));
  f.ggml_set_loss(loss);
  const grads = f.ggml_new_graph_custom(ctx.ptr, 256, true);
  f.ggml_build_forward_expand(grads, loss);
  f.ggml_build_backward_expand(ctx.ptr, grads, null);
  let graph = grads;
  let cast = 0;
  if (bf16 === true) ({ graph, cast } = castWeightProducts(f, ctx.ptr, grads, 256, { type: GGML_TYPE_BF16, weights: new Set([W]) }));
  else if (bf16)
    ({ graph, cast } = castWeightProducts(f, ctx.ptr, grads, 256, {
      type: GGML_TYPE_BF16,
      weights: new Set(),
      activations: bf16 === 'activations',
    }));
  graph = outProdToMulMat(f, ctx.ptr, graph, 256).graph;
  const buf = f.ggml_backend_alloc_ctx_tensors(ctx.ptr, backend.ptr);
  if (!buf) throw new Error('could not allocate the test tensors');
  try {
    const w = filled(64 * 32, 1);
    const xv = filled(64 * 16, 2);
    f.ggml_backend_tensor_set(W, w, 0, w.byteLength);
    f.ggml_backend_tensor_set(x, xv, 0, xv.byteLength);
    f.ggml_graph_reset(grads);
    expect(f.ggml_backend_graph_compute(backend.ptr, graph)).toBe(0);
    const read = (t: Parameters<typeof f.ggml_graph_get_grad>[1], n: number) => {
      const g = f.ggml_graph_get_grad(grads, t);
      if (!g) throw new Error('no gradient');
      const out = new Float32Array(n);
      f.ggml_backend_tensor_get(g, out, 0, out.byteLength);
      return out;
    };
    return { dW: read(W, 64 * 32), dx: read(x, 64 * 16), cast };
  } finally {
    f.ggml_backend_buffer_free(buf);
  }
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

describe('castWeightProducts', () => {
  it('runs the forward, input-gradient and weight-gradient products of a weight in bf16; gradients stay f32', () => {
    const f32 = gradients(false);
    const bf16 = gradients(true);
    expect(bf16.cast).toBe(3);
    // bf16 operands (8 significant bits) with f32 accumulation: close to f32, but not equal
    for (const [a, b] of [
      [f32.dW, bf16.dW],
      [f32.dx, bf16.dx],
    ]) {
      expect(maxRel(a, b)).toBeLessThan(2e-2);
      expect(maxRel(a, b)).toBeGreaterThan(1e-5);
    }
    // the gradients are f32 values, not bf16 ones (bf16 would leave the low 16 bits zero)
    const bits = new Uint32Array(bf16.dW.buffer);
    expect(bits.some((v) => (v & 0xffff) !== 0)).toBe(true);
  });

  it('casts the products of two activations only when asked (attention), with the same closeness', () => {
    expect(gradients('unnamed').cast).toBe(0);
    const f32 = gradients(false);
    const act = gradients('activations');
    // the forward product and both gradient products (OUT_PRODs, whichever operand is first)
    expect(act.cast).toBe(3);
    for (const [a, b] of [
      [f32.dW, act.dW],
      [f32.dx, act.dx],
    ]) {
      expect(maxRel(a, b)).toBeLessThan(2e-2);
      expect(maxRel(a, b)).toBeGreaterThan(1e-5);
    }
  });
});
