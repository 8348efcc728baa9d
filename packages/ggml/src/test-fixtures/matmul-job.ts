// A child job: one F32 mul_mat on the CPU backend this process loads (native build or prebuilt
// variant, as PUYU_NATIVE_CPU says); reports which backend ran and the product.
import { GGML_TYPE_F32, GgmlContext } from '../GgmlContext.js';
import { GgmlCpuBackend } from '../GgmlCpuBackend.js';

const [K, M, N] = [256, 48, 40];
function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

const backend = GgmlCpuBackend.create({ threads: 1 });
const f = backend.lib.fn;
const ctx = new GgmlContext({ maxTensors: 8 });
const a = ctx.tensor(GGML_TYPE_F32, [K, M], 'a');
const b = ctx.tensor(GGML_TYPE_F32, [K, N], 'b');
const buf = f.ggml_backend_alloc_ctx_tensors(ctx.ptr, backend.ptr);
if (!buf) throw new Error('could not allocate the test tensors');
const av = rand(K * M, 1);
const bv = rand(K * N, 2);
f.ggml_backend_tensor_set(a, av, 0, av.byteLength);
f.ggml_backend_tensor_set(b, bv, 0, bv.byteLength);
const cctx = new GgmlContext({ maxTensors: 8, graphSize: 8 });
const c = f.ggml_mul_mat(cctx.ptr, a, b);
f.ggml_set_output(c);
const graph = f.ggml_new_graph_custom(cctx.ptr, 8, false);
f.ggml_build_forward_expand(graph, c);
const galloc = f.ggml_gallocr_new(f.ggml_backend_get_default_buffer_type(backend.ptr));
if (!galloc || !f.ggml_gallocr_alloc_graph(galloc, graph)) throw new Error('could not allocate the graph');
if (f.ggml_backend_graph_compute(backend.ptr, graph) !== 0) throw new Error('compute failed');
const got = new Float32Array(M * N);
f.ggml_backend_tensor_get(c, got, 0, got.byteLength);
let maxDiff = 0;
for (let n = 0; n < N; n++)
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += av[m * K + k] * bv[n * K + k];
    maxDiff = Math.max(maxDiff, Math.abs(s - got[n * M + m]));
  }
process.send?.({ cpu: backend.lib.cpu, product: Array.from(got), maxDiffFromLoops: maxDiff });
f.ggml_gallocr_free(galloc);
f.ggml_backend_buffer_free(buf);
cctx.free();
ctx.free();
backend.free();
