import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseInternLM2Config } from '@puyu/model';
import { describe, expect, it } from 'vitest';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { GRAD_FIXTURE_DIR, readWeights } from '../graph/test-fixtures/gradFixture.js';
import { DpoModel } from './DpoModel.js';
import type { DpoBatch } from './data/DpoBatcher.js';

const gradDir = GRAD_FIXTURE_DIR;
const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Fixture {
  beta: number;
  rows: number[][];
  targets: number[][];
  weights: number[][];
  ref_diff: number[];
  seq_logp: number[];
  loss: number;
  rpo_alpha: number;
  rpo_loss: number;
}

const fixture = () => JSON.parse(readFileSync(`${dir}dpo_batch.json`, 'utf8')) as Fixture;
const batchOf = (f: Fixture): DpoBatch => ({
  pairs: f.rows.length / 2,
  rows: f.rows,
  targets: Int32Array.from(f.targets.flat()),
  weights: Float32Array.from(f.weights.flat()),
  index: Int32Array.from({ length: f.rows.length / 2 }, (_, i) => i),
  ref: new Float64Array(f.rows.length),
});

// Fixture: scripts/reference/dpo_reference.py (PyTorch autograd, CPU, fp32) on the weights of
// the masked-loss fixture (../fixtures/grad, same config and seed).
describe('DPO graph vs PyTorch autograd', () => {
  it.each(['mul_mat', 'out_prod'] as const)(
    'gives the same loss, reply log-probs and gradients (≤ 1e-3 relative), backward via %s',
    async (backwardMatmul) => {
      const config = parseInternLM2Config(JSON.parse(readFileSync(`${gradDir}config.json`, 'utf8')));
      const f = fixture();
      const weights = await readWeights(`${gradDir}model.safetensors`);
      const want = await readWeights(`${dir}dpo_grads.safetensors`);
      using model = new GgmlInternLM2(config, weights, { threads: 1, trainable: true, backwardMatmul });
      using dpo = new DpoModel(model, f.beta);
      const first = dpo.run(batchOf(f), f.ref_diff, true);
      const again = dpo.run(batchOf(f), f.ref_diff, true);
      expect(again.loss).toBe(first.loss);
      expect(Math.abs(first.loss - f.loss) / f.loss).toBeLessThan(1e-5);
      for (const [i, s] of f.seq_logp.entries()) expect(Math.abs(first.seqLogp[i] - s)).toBeLessThan(1e-4 * Math.abs(s));
      // the forward-only graph (reference pass, evaluation) gives the same numbers
      const fwd = dpo.run(batchOf(f), f.ref_diff, false);
      expect(fwd.loss).toBeCloseTo(first.loss, 6);
      let worst = 0;
      for (const [name, g] of want) {
        const got = first.grads?.get(name)?.data as Float32Array;
        let scale = 0;
        let diff = 0;
        for (let i = 0; i < g.data.length; i++) {
          scale = Math.max(scale, Math.abs(g.data[i]));
          diff = Math.max(diff, Math.abs(g.data[i] - got[i]));
        }
        worst = Math.max(worst, diff / scale);
      }
      console.log(
        `${backwardMatmul}: DPO loss ggml ${first.loss.toFixed(6)} torch ${f.loss.toFixed(6)}; worst relative gradient error ${worst.toExponential(2)}`,
      );
      expect(worst).toBeLessThan(1e-3);
    },
  );

  it("with RPO (α × the chosen replies' mean NLL added) gives PyTorch's loss and gradients too", async () => {
    const config = parseInternLM2Config(JSON.parse(readFileSync(`${gradDir}config.json`, 'utf8')));
    const f = fixture();
    const want = await readWeights(`${dir}dpo_rpo_grads.safetensors`);
    using model = new GgmlInternLM2(config, await readWeights(`${gradDir}model.safetensors`), { threads: 1, trainable: true });
    using dpo = new DpoModel(model, f.beta, f.rpo_alpha);
    const r = dpo.run(batchOf(f), f.ref_diff, true);
    expect(Math.abs(r.loss - f.rpo_loss) / f.rpo_loss).toBeLessThan(1e-5);
    let worst = 0;
    for (const [name, g] of want) {
      const got = r.grads?.get(name)?.data as Float32Array;
      let scale = 0;
      let diff = 0;
      for (let i = 0; i < g.data.length; i++) {
        scale = Math.max(scale, Math.abs(g.data[i]));
        diff = Math.max(diff, Math.abs(g.data[i] - got[i]));
      }
      worst = Math.max(worst, diff / scale);
    }
    console.log(
      `RPO: loss ggml ${r.loss.toFixed(6)} torch ${f.rpo_loss.toFixed(6)}; worst relative gradient error ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-3);
  });

  it('prompt and padding tokens get no say: changing them outside the reply changes no reply log-prob of the other rows', async () => {
    const config = parseInternLM2Config(JSON.parse(readFileSync(`${gradDir}config.json`, 'utf8')));
    const f = fixture();
    using model = new GgmlInternLM2(config, await readWeights(`${gradDir}model.safetensors`), { threads: 1, trainable: true });
    using dpo = new DpoModel(model, f.beta);
    const a = dpo.run(batchOf(f), f.ref_diff, false);
    // a target outside the reply (weight 0) is not read
    const g = fixture();
    g.targets[0][0] = (g.targets[0][0] + 5) % 96;
    g.targets[3][11] = (g.targets[3][11] + 7) % 96;
    const b = dpo.run(batchOf(g), g.ref_diff, false);
    expect(b.loss).toBe(a.loss);
    expect([...b.seqLogp]).toEqual([...a.seqLogp]);
  });
});
