import { readFileSync } from 'node:fs';
import { parseInternLM2Config } from '@puyu/model';
import { describe, expect, it } from 'vitest';
import { GgmlInternLM2 } from './GgmlInternLM2.js';
import { GRAD_FIXTURE_DIR, readGradFixture, readWeights } from './test-fixtures/gradFixture.js';

const dir = GRAD_FIXTURE_DIR;

// Fixture: scripts/reference/train_grad_reference.py (PyTorch 1.13, CPU, fp32).
describe('ggml backward vs PyTorch autograd (masked, packed batch)', () => {
  it.each(['mul_mat', 'out_prod'] as const)(
    'gives the same loss and gradients (≤ 1e-3 relative), backward products via %s',
    async (backwardMatmul) => {
      const { config, model: weights, grads: want, ...batch } = await readGradFixture();
      const docIds = batch.docIds;
      using model = new GgmlInternLM2(config, weights, { threads: 1, trainable: true, backwardMatmul });
      const first = model.lossAndGrads(batch.rows, batch.targets, batch.weights, docIds);
      // the second call reuses the cached graph and allocator: it must give the same bits
      const { loss, grads } = model.lossAndGrads(batch.rows, batch.targets, batch.weights, docIds);
      expect(loss).toBe(first.loss);
      for (const [name, g] of grads) expect(g.data).toEqual(first.grads.get(name)!.data);
      expect(Math.abs(loss - batch.loss) / batch.loss).toBeLessThan(1e-5);
      let worst = 0;
      for (const [name, g] of want) {
        const got = grads.get(name)!.data;
        // relative to the tensor's largest gradient, so near-zero entries don't dominate
        let scale = 0;
        let diff = 0;
        for (let i = 0; i < g.data.length; i++) {
          scale = Math.max(scale, Math.abs(g.data[i]));
          diff = Math.max(diff, Math.abs(g.data[i] - got[i]));
        }
        worst = Math.max(worst, diff / scale);
      }
      console.log(
        `${backwardMatmul}: loss ggml ${loss.toFixed(6)} torch ${batch.loss.toFixed(6)}; worst relative gradient error ${worst.toExponential(2)}`,
      );
      expect(worst).toBeLessThan(1e-3);
    },
  );

  it('uses the fused cross-entropy when all weights are 1 and agrees with the weighted path', () => {
    const config = parseInternLM2Config(JSON.parse(readFileSync(`${dir}config.json`, 'utf8')));
    return readWeights(`${dir}model.safetensors`).then((weights) => {
      using model = new GgmlInternLM2(config, weights, { threads: 1, trainable: true });
      const rows = [[3, 9, 27, 81 % 96, 50, 60, 70, 80]];
      const targets = [9, 27, 81 % 96, 50, 60, 70, 80, 90];
      const ones = model.lossAndGrads(
        rows,
        targets,
        targets.map(() => 1),
      );
      // weights of 2 everywhere give the same normalised loss but take the weighted path
      const twos = model.lossAndGrads(
        rows,
        targets,
        targets.map(() => 2),
      );
      expect(Math.abs(ones.loss - twos.loss)).toBeLessThan(1e-5);
      const a = ones.grads.get('output.weight')!.data;
      const b = twos.grads.get('output.weight')!.data;
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      expect(d).toBeLessThan(1e-5);
    });
  });

  it('a cached graph is rebuilt when the batch shape changes between calls', async () => {
    const config = parseInternLM2Config(JSON.parse(readFileSync(`${dir}config.json`, 'utf8')));
    const weights = await readWeights(`${dir}model.safetensors`);
    using model = new GgmlInternLM2(config, weights, { threads: 1, trainable: true });
    using fresh = new GgmlInternLM2(config, weights, { threads: 1, trainable: true });
    const long = [[5, 6, 7, 8, 9, 10, 11, 12]];
    const short = [[5, 6, 7, 8]];
    const ones = (n: number) => Array.from({ length: n }, () => 1);
    model.lossAndGrads(long, [6, 7, 8, 9, 10, 11, 12, 13], ones(8));
    const evalLoss = model.loss(long, [6, 7, 8, 9, 10, 11, 12, 13], ones(8));
    const a = model.lossAndGrads(short, [6, 7, 8, 9], [1, 1, 0, 2]);
    const b = fresh.lossAndGrads(short, [6, 7, 8, 9], [1, 1, 0, 2]);
    expect(a.loss).toBe(b.loss);
    expect(a.grads.get('output.weight')!.data).toEqual(b.grads.get('output.weight')!.data);
    expect(model.loss(long, [6, 7, 8, 9, 10, 11, 12, 13], ones(8))).toBe(evalLoss);
  });

  it('a zero weight contributes no gradient', () => {
    const config = parseInternLM2Config(JSON.parse(readFileSync(`${dir}config.json`, 'utf8')));
    return readWeights(`${dir}model.safetensors`).then((weights) => {
      using model = new GgmlInternLM2(config, weights, { threads: 1, trainable: true });
      const rows = [[3, 9, 27, 40, 50, 60]];
      // only the last position counts; changing the masked targets must not change anything
      const a = model.lossAndGrads(rows, [1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 1]);
      const b = model.lossAndGrads(rows, [7, 8, 9, 10, 11, 6], [0, 0, 0, 0, 0, 1]);
      expect(a.loss).toBe(b.loss);
      expect(a.grads.get('model.tok_embeddings.weight')!.data).toEqual(b.grads.get('model.tok_embeddings.weight')!.data);
      expect(() => model.lossAndGrads(rows, [1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0])).toThrow(
        expect.objectContaining({ code: 'TRAIN_EMPTY_LOSS' }),
      );
    });
  });
});
