import { PuyuError } from '@puyu/core';
import { loadGgmlLibrary } from '@puyu/ggml';
import { describe, expect, it } from 'vitest';
import type { PackedBatch } from '../data/PackedBatcher.js';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { readGradFixture, worstRelative } from '../graph/test-fixtures/gradFixture.js';
import { AdamW, decaysMatrices } from '../optim/AdamW.js';
import { clipGradNorm } from '../optim/clipGradNorm.js';
import { DataParallelModel, sliceBatch } from './dataParallel.js';

// The PyTorch fixture of gradients.model.test.ts: two packed rows whose loss weights differ
// (16 vs 11.5), so each replica's share must be its weight.
async function fixture() {
  const f = await readGradFixture();
  const batch: PackedBatch = {
    rows: f.rows,
    targets: Int32Array.from(f.targets),
    weights: Float32Array.from(f.weights),
    docIds: Int32Array.from(f.docIds),
  };
  return { config: f.config, batch, torchLoss: f.loss, weights: f.model, want: f.grads };
}

describe('data-parallel replicas (worker threads) against PyTorch autograd', () => {
  it.each([2, 3])('%i replicas give PyTorch’s loss and gradients, and one replica’s to float rounding', async (replicas) => {
    const { config, batch, torchLoss, weights, want } = await fixture();
    using single = new GgmlInternLM2(config, weights, { threads: 1, trainable: true });
    const one = single.lossAndGrads(batch.rows, batch.targets, batch.weights, batch.docIds);
    // 3 replicas on 2 rows: the third gets no rows and sits the step out
    using dp = new DataParallelModel(config, weights, { replicas, threads: 1, precision: 'fp32' });
    const r = dp.lossAndGrads(batch);
    // one copy's order, which the loop's clipping norm sums in
    expect([...r.grads.keys()]).toEqual([...one.grads.keys()]);
    expect(Math.abs(r.loss - torchLoss) / torchLoss).toBeLessThan(1e-5);
    expect(Math.abs(r.loss - one.loss) / one.loss).toBeLessThan(1e-6);
    const vsTorch = worstRelative(want, r.grads).worst;
    const vsSingle = worstRelative(one.grads, r.grads).worst;
    console.log(
      `${replicas} replicas: worst relative gradient error ${vsTorch.toExponential(2)} vs PyTorch, ${vsSingle.toExponential(2)} vs one replica`,
    );
    expect(vsTorch).toBeLessThan(1e-3);
    expect(vsSingle).toBeLessThan(1e-5);
    // the worker threads used the CPU backend this thread registered: ggml's registry holds it once
    const { fn } = loadGgmlLibrary();
    const names = Array.from({ length: fn.ggml_backend_reg_count() }, (_, i) => fn.ggml_backend_reg_name(fn.ggml_backend_reg_get(i)));
    expect(names.filter((n) => n === 'CPU')).toEqual(['CPU']);
  });

  it('replicas see the weights the loop uploads, and the held-out loss agrees with one replica', async () => {
    const { config, batch, weights } = await fixture();
    using dp = new DataParallelModel(config, weights, { replicas: 2, threads: 1, precision: 'fp32' });
    const before = dp.lossAndGrads(batch).loss;
    // an AdamW-like change to every weight, uploaded as the loop does
    for (const t of weights.values()) for (let i = 0; i < t.data.length; i++) t.data[i] = (t.data[i] as number) * 0.9;
    dp.upload();
    using single = new GgmlInternLM2(config, weights, { threads: 1, trainable: true });
    const want = single.lossAndGrads(batch.rows, batch.targets, batch.weights, batch.docIds).loss;
    const after = dp.lossAndGrads(batch).loss;
    expect(after).not.toBe(before);
    // had the second replica kept its old weights, its row's half of the loss would be off
    expect(Math.abs(after - want) / want).toBeLessThan(1e-6);
    expect(Math.abs(dp.loss(batch) - want) / want).toBeLessThan(1e-6);
  });

  it.each([2, 3])(
    '%i threads split AdamW and give the serial clip + AdamW’s bits, clipped or not, resumed moments kept',
    async (replicas) => {
      const { config, batch, weights } = await fixture();
      const copy = (m: ReadonlyMap<string, Float32Array>) => new Map([...m].map(([n, x]) => [n, x.slice()]));
      const ref = copy(new Map([...weights].map(([n, t]) => [n, t.data])));
      const opts = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
      const decays = decaysMatrices(new Map([...weights].map(([n, t]) => [n, t.shape])));
      const [adam, serial] = [new AdamW(opts, decays), new AdamW(opts, decays)];
      // as after a resume: three steps done, moments restored into plain arrays
      for (const a of [adam, serial]) {
        a.t = 3;
        for (const [n, t] of weights) {
          a.m.set(
            n,
            t.data.map((x, i) => (i % 7) * 1e-4 * Math.sign(x)),
          );
          a.v.set(
            n,
            t.data.map((_, i) => (i % 5) * 1e-6),
          );
        }
      }
      using dp = new DataParallelModel(config, weights, { replicas, threads: 1, precision: 'fp32' });
      for (const maxNorm of [1e9, 0.05]) {
        const r = dp.lossAndGrads(batch);
        const grads = new Map([...r.grads].map(([n, g]) => [n, g.data]));
        const serialGrads = copy(grads);
        const wantNorm = clipGradNorm(serialGrads.values(), maxNorm);
        if (maxNorm < 1e6) expect(wantNorm).toBeGreaterThan(4 * maxNorm); // this round does clip
        serial.step(ref, serialGrads, 1e-3);
        const norm = dp.optimizerStep({ grads, adam, lr: 1e-3, maxNorm });
        // clipped or not, every part did the serial optimizer's float operations, and the norm was
        // taken in the serial order: the same bits
        expect(norm).toBe(wantNorm);
        for (const [n, t] of weights) {
          expect(t.data).toEqual(ref.get(n));
          expect(adam.m.get(n)).toEqual(serial.m.get(n));
          expect(adam.v.get(n)).toEqual(serial.v.get(n));
        }
      }
      expect(adam.t).toBe(5);
      // every copy took the new weights: the next loss is one fresh model's on them
      using single = new GgmlInternLM2(config, weights, { threads: 1, trainable: true });
      const want = single.lossAndGrads(batch.rows, batch.targets, batch.weights, batch.docIds).loss;
      expect(Math.abs(dp.lossAndGrads(batch).loss - want) / want).toBeLessThan(1e-6);
    },
  );

  it('a replica’s error comes back as a PuyuError with what went wrong, and the next step still runs', async () => {
    const { config, batch, weights } = await fixture();
    using dp = new DataParallelModel(config, weights, { replicas: 2, threads: 1, precision: 'fp32' });
    const bad: PackedBatch = { ...batch, targets: batch.targets.slice() };
    const T = (batch.rows[0] as number[]).length;
    // a target outside the vocabulary in the second row: only the worker's slice fails
    bad.targets[T + 3] = config.vocab_size + 5;
    let err: unknown;
    try {
      dp.lossAndGrads(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PuyuError);
    expect((err as PuyuError).code).toBe('TRAIN_REPLICA_FAILED');
    expect((err as Error).message).toMatch(/target id \d+ at position 3 is outside/);
    const ok = dp.lossAndGrads(batch);
    expect(Number.isFinite(ok.loss)).toBe(true);
  });
});

describe('sliceBatch', () => {
  it('splits rows into contiguous, even slices with their loss weights', () => {
    const T = 2;
    const b: PackedBatch = {
      rows: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      targets: Int32Array.of(2, 9, 4, 9, 6, 9),
      weights: Float32Array.of(1, 0, 1, 1, 0.5, 0),
      docIds: Int32Array.of(0, 0, 1, 1, 2, 2),
    };
    const s = sliceBatch(b, 2);
    expect(s.map((x) => x.rows)).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      [[5, 6]],
    ]);
    expect(s.map((x) => x.weight)).toEqual([3, 0.5]);
    expect([...(s[1]?.targets ?? [])]).toEqual([6, 9]);
    expect([...(s[1]?.docIds ?? [])]).toEqual([2, 2]);
    expect(s[0]?.targets.length).toBe(2 * T);
    expect(sliceBatch(b, 4).map((x) => x.rows.length)).toEqual([1, 1, 1, 0]);
  });
});
