import { describe, expect, it } from 'vitest';
import { GGML_TYPE_BF16 } from '../castWeightProducts.js';
import { GGML_TYPE_F32, GgmlContext } from '../GgmlContext.js';
import { GgmlCpuBackend } from '../GgmlCpuBackend.js';
import { header, OFF_OP, outProdToMulMat } from '../outProdToMulMat.js';
import { transposeKernelState } from './transposeKernel.js';

// The tiled copy must be a copy: every product computed from its transposes equals, bit for
// bit, the same product computed from ggml's own CONT. Shapes cover partial 32×32 tiles, a
// batched (GQA-broadcast) product, bf16 operands (2-byte elements, as bf16 training reads
// them) and two threads splitting the tiles.
const state = transposeKernelState();
if (!state.kernel) console.warn(`tiled transpose checks skip: ${state.reason}`);

function filled(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

const count = (ne: number[]) => ne.reduce((x, y) => x * y, 1);

/** out_prod(a, b) rewritten to MUL_MAT, its transposes copied by the kernel or by CONT. */
function product(aNe: number[], bNe: number[], o: { tiled: boolean; bf16: boolean; threads: number }) {
  using backend = GgmlCpuBackend.create({ threads: o.threads });
  const f = backend.lib.fn;
  using ctx = new GgmlContext({ maxTensors: 64, graphSize: 64 });
  const a = ctx.tensor(GGML_TYPE_F32, aNe);
  const b = ctx.tensor(GGML_TYPE_F32, bNe);
  const out = f.ggml_out_prod(ctx.ptr, o.bf16 ? f.ggml_cast(ctx.ptr, a, GGML_TYPE_BF16) : a, b);
  const built = f.ggml_new_graph_custom(ctx.ptr, 64, false);
  f.ggml_build_forward_expand(built, out);
  const { graph } = outProdToMulMat(f, ctx.ptr, built, 64, { tiledTranspose: o.tiled });
  const ops = Array.from({ length: f.ggml_graph_n_nodes(graph) }, (_, i) => header(f.ggml_graph_node(graph, i)).getInt32(OFF_OP, true));
  const buf = f.ggml_backend_alloc_ctx_tensors(ctx.ptr, backend.ptr);
  if (!buf) throw new Error('could not allocate the test tensors');
  try {
    const av = filled(count(aNe), 1);
    const bv = filled(count(bNe), 2);
    f.ggml_backend_tensor_set(a, av, 0, av.byteLength);
    f.ggml_backend_tensor_set(b, bv, 0, bv.byteLength);
    expect(f.ggml_backend_graph_compute(backend.ptr, graph)).toBe(0);
    const res = new Float32Array(f.ggml_nelements(out));
    f.ggml_backend_tensor_get(out, res, 0, res.byteLength);
    return { res, ops };
  } finally {
    f.ggml_backend_buffer_free(buf);
  }
}

describe.skipIf(!state.kernel)('the tiled transpose kernel', () => {
  const cases: [string, number[], number[]][] = [
    ['a weight gradient, whole tiles', [64, 96], [32, 96]],
    ['partial tiles on both sides', [37, 70], [45, 70]],
    ['batched, a broadcast over b (GQA)', [40, 33, 2], [24, 33, 4]],
  ];
  for (const [name, aNe, bNe] of cases) {
    for (const bf16 of [false, true]) {
      for (const threads of [1, 2]) {
        it(`${name}, ${bf16 ? 'bf16' : 'f32'}, ${threads} thread(s): bit-identical to ggml's CONT`, () => {
          const want = product(aNe, bNe, { tiled: false, bf16, threads });
          const got = product(aNe, bNe, { tiled: true, bf16, threads });
          // the kernel really ran: the tiled graph has custom ops where the other has CONTs
          expect(got.ops.filter((op) => !want.ops.includes(op)).length).toBeGreaterThan(0);
          expect(Buffer.from(got.res.buffer).equals(Buffer.from(want.res.buffer))).toBe(true);
        });
      }
    }
  }
});
