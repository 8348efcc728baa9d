/**
 * Per-op time of one training step (forward + backward of the masked loss) on the
 * reference config, through ggml's backend scheduler eval callback: asking to observe
 * every node makes the scheduler compute the graph one node at a time and call back
 * after each, so the wall time between two callbacks is that node's compute time
 * (plus a small per-call dispatch cost: the header line shows the step observed node by
 * node beside the same graph computed in one call).
 *
 *   npx tsx --conditions=source bench/train/profile.ts [--steps 2] [--backward mul_mat|out_prod] [--precision fp32|bf16] [--by-shape] [--batch 8]
 *     [--hidden 256 --ffn 768]   (--hidden 128 --ffn 384 --seq 128: the quickstart's model)
 */
import { parseArgs } from 'node:util';
import { asPtr, GgmlBlasBackend, GgmlCpuBackend, type TensorPtr } from '@puyu/ggml';
import { initInternLM2, internLM2ConfigToJson, makeInternLM2Config } from '@puyu/model';
import {
  type BackwardMatmul,
  InternLM2Params,
  LossGraph,
  packedCausalMask,
  packedPositions,
  planMaskedLoss,
  type TrainPrecision,
} from '@puyu/train';
import koffi from 'koffi';
import { loadBenchBindings } from './benchBindings.js';
import { corpusTokens, referenceConfig, stepRows, trainFlopsPerToken } from './benchSetup.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2' },
    batch: { type: 'string', default: '8' },
    seq: { type: 'string', default: '256' },
    threads: { type: 'string', default: '1' },
    backward: { type: 'string', default: 'mul_mat' },
    // bf16: the weight products read bf16 copies (what pretrain runs by default on AVX512-BF16 CPUs)
    precision: { type: 'string', default: 'fp32' },
    'by-shape': { type: 'boolean', default: false },
    hidden: { type: 'string', default: '256' },
    ffn: { type: 'string', default: '768' },
    // an opt-in ggml BLAS backend (bench/train/build-ggml-blas.sh): products go to it
    blas: { type: 'string', default: process.env.PUYU_GGML_BLAS },
  },
});
const backwardMatmul = values.backward as BackwardMatmul;
const precision = values.precision as TrainPrecision;
if (precision !== 'fp32' && precision !== 'bf16') throw new Error(`--precision must be fp32 or bf16, not ${values.precision}`);
const B = Number(values.batch);
const T = Number(values.seq);
const GRAPH_SIZE = 16_384;
const reference = referenceConfig();
const config = makeInternLM2Config({
  ...internLM2ConfigToJson(reference),
  vocab_size: reference.vocab_size,
  num_hidden_layers: reference.num_hidden_layers,
  num_attention_heads: reference.num_attention_heads,
  hidden_size: Number(values.hidden),
  intermediate_size: Number(values.ffn),
  max_position_embeddings: Math.max(T, 256),
});
const stream = corpusTokens();
using backend = GgmlCpuBackend.create({ threads: Number(values.threads) });
using params = new InternLM2Params(backend, config, { trainable: true });
params.upload(initInternLM2(config, { seed: 1234 }));
const f = loadBenchBindings();
using blas = values.blas ? GgmlBlasBackend.load(values.blas, Number(values.threads)) : undefined;

const disposable = <X extends { free(): void }>(x: X) => Object.assign(x, { [Symbol.dispose]: () => x.free() });

// ne[] of a tensor and of its first two sources, read from the ggml_tensor header (ne@16, src@152)
const shapeOf = (t: TensorPtr) => {
  const v = new DataView(koffi.view(t, 48) as ArrayBuffer);
  return [0, 1, 2, 3].map((i) => Number(v.getBigInt64(16 + 8 * i, true))).join('×');
};
const srcShapes = (t: TensorPtr) => {
  const v = new DataView(koffi.view(t, 168) as ArrayBuffer);
  return [0, 1]
    .map((i) => v.getBigUint64(152 + 8 * i, true))
    .filter((p) => p !== 0n)
    .map((p) => shapeOf(asPtr<'ggml_tensor'>(p)))
    .join(', ');
};

const EvalProto = koffi.proto('bool puyu_eval_cb(void* t, bool ask, void* user_data)');
const byOp = new Map<string, { ms: number; n: number }>();
let last = 0;
const cb = asPtr<'function'>(
  koffi.register((t: TensorPtr, ask: boolean) => {
    if (ask) return true;
    const now = performance.now();
    const op = values['by-shape'] ? `${f.ggml_op_desc(t)} ${shapeOf(t)} ← ${srcShapes(t)}` : f.ggml_op_desc(t);
    const e = byOp.get(op) ?? { ms: 0, n: 0 };
    e.ms += now - last;
    e.n++;
    byOp.set(op, e);
    last = performance.now();
    return true;
  }, koffi.pointer(EvalProto)),
);

const backends = blas ? [blas.ptr, backend.ptr] : [backend.ptr];
const sched = f.ggml_backend_sched_new(backends, null, backends.length, GRAPH_SIZE, false, false);
if (!sched) throw new Error('ggml_backend_sched_new failed');
f.ggml_backend_sched_set_eval_callback(sched, cb, null);
const steps = Number(values.steps);
let totalMs = 0;
let plainMs = 0;
for (let s = 0; s < steps + 1; s++) {
  const { rows, targets } = stepRows(stream, s, B, T);
  const plan = planMaskedLoss(targets, new Float32Array(B * T).fill(1), config.vocab_size);
  using g = disposable(
    new LossGraph(params, { B, T, M: plan.rows.length, uniform: plan.uniform, withGrads: true, backwardMatmul, precision }, plan, blas),
  );
  const graph = g.graph;
  f.ggml_backend_sched_reset(sched);
  if (!f.ggml_backend_sched_alloc_graph(sched, graph)) throw new Error('sched could not allocate the graph');
  const ids = Int32Array.from(rows.flat());
  const pos = packedPositions(B, T);
  const m = packedCausalMask(B, T, config.num_attention_heads);
  // inputs are set before every compute: the allocator may reuse their memory once read
  const setInputs = () => g.setInputs(ids, pos, m, plan);
  setInputs();
  if (s === 0) byOp.clear(); // warm-up step
  const t0 = performance.now();
  last = t0;
  if (f.ggml_backend_sched_graph_compute(sched, graph) !== 0) throw new Error('graph compute failed');
  if (s > 0) totalMs += performance.now() - t0;
  if (s === 0) {
    byOp.clear();
    // the same graph once more without the callback: the step time with no per-node dispatch
    f.ggml_backend_sched_set_eval_callback(sched, null, null);
    setInputs();
    const p0 = performance.now();
    f.ggml_backend_sched_graph_compute(sched, graph);
    plainMs = performance.now() - p0;
    f.ggml_backend_sched_set_eval_callback(sched, cb, null);
  }
}
f.ggml_backend_sched_free(sched);

const measured = [...byOp.values()].reduce((a, e) => a + e.ms, 0);
const { flops } = trainFlopsPerToken(config, T);
console.log(
  `per-op time of one training step (fwd + bwd, ${B}×${T} tokens, ${values.threads} thread, ${precision}, backward products via ${backwardMatmul}${blas ? ', BLAS backend' : ''}), mean of ${steps} steps; ` +
    `graph step ${(totalMs / steps).toFixed(0)} ms observed node by node, ${plainMs.toFixed(0)} ms in one call`,
);
console.table(
  [...byOp]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([op, e]) => ({
      op,
      nodes: e.n / steps,
      'ms/step': (e.ms / steps).toFixed(1),
      '% of step': ((100 * e.ms) / measured).toFixed(1),
    })),
);
const mm = [...byOp].filter(([op]) => /^(MUL_MAT|OUT_PROD)\b/.test(op)).reduce((a, [, e]) => a + e.ms, 0);
console.log(
  `matrix products (MUL_MAT + OUT_PROD): ${((100 * mm) / measured).toFixed(1)}% of the step, ` +
    `${((flops * B * T) / ((mm / steps) * 1e6)).toFixed(1)} GFLOP/s over their time (${(flops / 1e6).toFixed(2)} MFLOP/token)`,
);
