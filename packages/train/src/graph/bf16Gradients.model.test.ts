import { readFileSync } from 'node:fs';
import { parseInternLM2Config } from '@puyu/model';
import { describe, expect, it } from 'vitest';
import { GgmlInternLM2 } from './GgmlInternLM2.js';
import { GRAD_FIXTURE_DIR, readGradFixture, readWeights, worstRelative } from './test-fixtures/gradFixture.js';

const dir = GRAD_FIXTURE_DIR;

// bf16 keeps 8 significant bits (relative rounding 2^-9 ≈ 2e-3 per operand); a gradient is a
// product chain through several such roundings, so its error bound is a few percent of the
// tensor's largest entry. Same fixture as gradients.model.test.ts (PyTorch autograd, fp32).
const BF16_GRAD_TOLERANCE = 3e-2;
const BF16_LOSS_TOLERANCE = 5e-3;

describe('bf16 mixed precision: loss and gradients against PyTorch fp32 autograd', () => {
  it(`stays within ${BF16_GRAD_TOLERANCE} of the fp32 gradients, lands them in f32, and is really bf16`, async () => {
    const { config, model: weights, grads: want, ...batch } = await readGradFixture();
    const docIds = batch.docIds;
    const run = (precision: 'fp32' | 'bf16') => {
      using model = new GgmlInternLM2(config, weights, { threads: 1, trainable: true, precision });
      const r = model.lossAndGrads(batch.rows, batch.targets, batch.weights, docIds);
      // held-out evaluation runs the forward-only graph, cast the same way
      const evalLoss = model.loss(batch.rows, batch.targets, batch.weights, docIds);
      return { ...r, evalLoss };
    };
    const bf16 = run('bf16');
    const fp32 = run('fp32');
    const err = worstRelative(want, bf16.grads);
    const fp32Err = worstRelative(want, fp32.grads);
    const lossErr = Math.abs(bf16.loss - batch.loss) / batch.loss;
    console.log(
      `bf16: loss ${bf16.loss.toFixed(6)} (torch fp32 ${batch.loss.toFixed(6)}, rel ${lossErr.toExponential(2)}); worst relative gradient error ${err.worst.toExponential(2)} (${err.name}); fp32 path ${fp32Err.worst.toExponential(2)}`,
    );
    expect(lossErr).toBeLessThan(BF16_LOSS_TOLERANCE);
    expect(Math.abs(bf16.evalLoss - bf16.loss) / bf16.loss).toBeLessThan(1e-6);
    expect(err.worst).toBeLessThan(BF16_GRAD_TOLERANCE);
    // the bf16 path is really taken: its error is far above f32 rounding
    expect(err.worst).toBeGreaterThan(20 * fp32Err.worst);
    expect(bf16.loss).not.toBe(fp32.loss);
    // gradients land in f32: values no bf16 can hold (more than 8 significant bits)
    const g = bf16.grads.get('model.layers.0.attention.wqkv.weight')!.data;
    const bits = new Uint32Array(g.buffer, g.byteOffset, g.length);
    expect(bits.some((b) => (b & 0xffff) !== 0)).toBe(true);
  });

  it('refuses bf16 with the OUT_PROD backward (no bf16 kernel)', async () => {
    const config = parseInternLM2Config(JSON.parse(readFileSync(`${dir}config.json`, 'utf8')));
    const weights = await readWeights(`${dir}model.safetensors`);
    expect(() => new GgmlInternLM2(config, weights, { threads: 1, precision: 'bf16', backwardMatmul: 'out_prod' })).toThrow(
      expect.objectContaining({ code: 'TRAIN_PRECISION_UNSUPPORTED' }),
    );
  });
});
