import { autoBlasState, blasFromEnv, GgmlCpuBackend } from '@puyu/ggml';
import { InternLM2Reference, type InternLM2Weights, internLM2TensorSpecs, makeInternLM2Config } from '@puyu/model';
import { describe, expect, it, vi } from 'vitest';
import { GgmlInternLM2 } from './GgmlInternLM2.js';
import { InternLM2Params } from './InternLM2Params.js';

function randomWeights(config: ReturnType<typeof makeInternLM2Config>, seed: number): InternLM2Weights {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const w: InternLM2Weights = new Map();
  for (const spec of internLM2TensorSpecs(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = spec.shape.length === 1;
    for (let i = 0; i < n; i++) data[i] = isNorm ? 1 + 0.2 * next() : 0.3 * next();
    w.set(spec.name, { shape: spec.shape, data });
  }
  return w;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const base = {
  vocab_size: 96,
  hidden_size: 64,
  intermediate_size: 160,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 64,
  rope_theta: 1e6,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: false,
};

// A BLAS library to train on when this machine has one (named, or built where OpenBLAS is installed)
const blasPath = blasFromEnv() ?? autoBlasState().path;
if (!blasPath) console.warn('the BLAS case of the rebuilt-graph check skips: no BLAS backend on this machine');

describe('InternLM2 as a ggml graph', () => {
  for (const [label, extra] of [
    ['GQA 4/2', {}],
    ['MHA, tied embeddings', { num_key_value_heads: 4, tie_word_embeddings: true }],
    ['linear rope scaling', { rope_scaling: { type: 'linear', factor: 2 } }],
  ] as const) {
    it(`matches the pure-TS reference forward (${label}) within 1e-4`, () => {
      const config = makeInternLM2Config({ ...base, ...extra });
      const weights = randomWeights(config, 7);
      const ref = new InternLM2Reference(config, weights);
      const rows = [Array.from({ length: 24 }, (_, i) => (i * 37 + 5) % 96), Array.from({ length: 24 }, (_, i) => (i * 11 + 3) % 96)];
      using model = new GgmlInternLM2(config, weights, { threads: 1 });
      const got = model.forward(rows);
      const V = config.vocab_size;
      let worst = 0;
      rows.forEach((r, b) => {
        const want = ref.forward(r);
        worst = Math.max(worst, maxAbsDiff(got.subarray(b * 24 * V, (b + 1) * 24 * V), want));
      });
      console.log(`ggml vs reference (${label}): max |Δlogit| = ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it('keeps packed documents apart: each equals its own forward', () => {
    const config = makeInternLM2Config(base);
    const weights = randomWeights(config, 11);
    const ref = new InternLM2Reference(config, weights);
    const docA = [5, 17, 33, 2, 90, 41, 7];
    const docB = [64, 12, 3, 3, 50, 8, 71, 22, 9];
    const row = [...docA, ...docB];
    const docIds = [...docA.map(() => 0), ...docB.map(() => 1)];
    using model = new GgmlInternLM2(config, weights, { threads: 1 });
    const got = model.forward([row], docIds);
    const V = config.vocab_size;
    const a = ref.forward(docA);
    const b = ref.forward(docB);
    expect(maxAbsDiff(got.subarray(0, docA.length * V), a)).toBeLessThan(1e-4);
    expect(maxAbsDiff(got.subarray(docA.length * V), b)).toBeLessThan(1e-4);
  });

  // Pretraining's packed batches and SFT's masks change the loss rows (M) every step, so the loss
  // graph is rebuilt each step and hands its allocator (CPU) or scheduler (BLAS) to the new one.
  // A handed-over scheduler must be reset first (ggml asserts otherwise, killing the process).
  for (const [label, blas] of [
    ['CPU', undefined],
    ['BLAS', blasPath],
  ] as const) {
    it.runIf(label === 'CPU' || !!blas)(`rebuilt for a new loss mask, gives what a fresh model gives (${label})`, () => {
      const config = makeInternLM2Config(base);
      const weights = randomWeights(config, 11);
      const B = 2;
      const T = 48;
      const rows = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 37 + t * 11) % config.vocab_size));
      const targets = Int32Array.from(rows.flat().map((x) => (x * 7 + 3) % config.vocab_size));
      const all = new Float32Array(B * T).fill(1);
      // 96 loss rows pad to 128, these 32 to 64: a graph of another shape
      const masked = all.map((w, i) => (i % 3 === 0 ? w : 0));
      const opts = { threads: 1, trainable: true, blas, precision: 'fp32' as const };
      using reused = new GgmlInternLM2(config, weights, opts);
      const fn = reused.backend.lib.fn;
      const made = vi.spyOn(fn, blas ? 'ggml_backend_sched_new' : 'ggml_gallocr_new');
      let second: ReturnType<GgmlInternLM2['lossAndGrads']>;
      let third: typeof second;
      try {
        reused.lossAndGrads(rows, targets, all);
        second = reused.lossAndGrads(rows, targets, masked); // M changed: rebuilt
        third = reused.lossAndGrads(rows, targets, all); // and back
        expect(made).toHaveBeenCalledTimes(1); // one allocator (scheduler) for all three graphs
      } finally {
        made.mockRestore();
      }
      for (const [mask, got] of [
        [masked, second],
        [all, third],
      ] as const) {
        using fresh = new GgmlInternLM2(config, weights, opts);
        const want = fresh.lossAndGrads(rows, targets, mask);
        expect(got.loss).toBe(want.loss);
        for (const [name, g] of want.grads) expect(maxAbsDiff(got.grads.get(name)?.data as Float32Array, g.data), name).toBe(0);
      }
      expect(second.loss).not.toBe(third.loss);
    });
  }

  it('frees what it allocated when construction fails partway', () => {
    const config = makeInternLM2Config(base);
    const weights = randomWeights(config, 3);
    const create = vi.spyOn(GgmlCpuBackend, 'create');
    const freeBackend = vi.spyOn(GgmlCpuBackend.prototype, 'free');
    const freeParams = vi.spyOn(InternLM2Params.prototype, 'free');
    try {
      // fails after the CPU backend started: no BLAS library at that path
      expect(() => new GgmlInternLM2(config, weights, { threads: 1, blas: '/nonexistent/libggml-blas.so' })).toThrow(
        expect.objectContaining({ code: 'GGML_BLAS_MISSING' }),
      );
      expect(freeBackend.mock.contexts).toContain(create.mock.results[0].value);

      // fails after the parameters were allocated: the weights lack a tensor
      const partial = new Map(weights);
      partial.delete('model.norm.weight');
      expect(() => new GgmlInternLM2(config, partial, { threads: 1 })).toThrow(
        expect.objectContaining({ code: 'TRAIN_GRAPH_NO_TENSOR', message: expect.stringContaining('model.norm.weight') }),
      );
      expect(freeBackend.mock.contexts).toContain(create.mock.results[1].value);
      expect(freeParams).toHaveBeenCalledTimes(1);

      // a tensor of the wrong size is refused before ggml would abort the process on it
      const wrong = new Map(weights);
      wrong.set('model.norm.weight', { shape: [3], data: new Float32Array(3) });
      expect(() => new GgmlInternLM2(config, wrong, { threads: 1 })).toThrow(expect.objectContaining({ code: 'TRAIN_GRAPH_BAD_SHAPE' }));
      expect(freeBackend.mock.contexts).toContain(create.mock.results[2].value);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
