import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeTensorData, encodeTensorData, GgmlType, SafetensorsFile } from '@puyu/formats';
import { InternLM2Reference, type InternLM2Weights, Prng, parseInternLM2Config } from '@puyu/model';
import { describe, expect, it } from 'vitest';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import type { LossGraph } from '../graph/LossGraph.js';
import { LoraAdapter } from './LoraAdapter.js';
import { initLoraWeights, type LoraSettings, type LoraWeights, loraScale, loraTargets, mergeLora } from './loraWeights.js';

// The tiny model of the full-parameter gradient test (scripts/reference/train_grad_reference.py).
const dir = fileURLToPath(new URL('../fixtures/grad/', import.meta.url));
const config = parseInternLM2Config(JSON.parse(readFileSync(`${dir}config.json`, 'utf8')));

async function readAll(path: string): Promise<InternLM2Weights> {
  await using st = await SafetensorsFile.open(path);
  const out: InternLM2Weights = new Map();
  for (const t of st.tensors) out.set(t.name, { shape: [...t.shape], data: await st.readF32(t.name) });
  return out;
}

const settings: LoraSettings = { rank: 4, alpha: 8, dropout: 0, target_modules: ['wqkv', 'wo', 'w1', 'w2', 'w3'] };
const rows = [
  [3, 9, 27, 81, 50, 60, 70, 80, 11, 12],
  [5, 6, 7, 8, 9, 10, 41, 42, 43, 44],
];
const targets = [9, 27, 81, 50, 60, 70, 80, 11, 12, 13, 6, 7, 8, 9, 10, 41, 42, 43, 44, 45];
// only some positions carry loss, with unequal weights (the weighted path)
const lossWeights = [0, 0, 1, 1, 2, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0.5, 1, 1, 1, 0];

/** A trained-looking adapter: PEFT's init for A, and a random non-zero B so every gradient is live. */
function randomAdapter(seed: number): LoraWeights {
  const w = initLoraWeights(config, settings, seed);
  const rng = new Prng(seed + 1);
  for (const [name, t] of w) if (name.includes('lora_B')) for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal() * 0.05;
  return w;
}

function withAdapter(base: InternLM2Weights, adapter: LoraWeights, s = settings, baseType?: 'q8_0' | 'q4_0') {
  return new GgmlInternLM2(config, base, {
    threads: 1,
    baseType,
    adapter: (backend) => {
      const a = new LoraAdapter(backend, config, s);
      a.upload(adapter);
      return a;
    },
  });
}

/** The masked loss of the pure-TS reference forward on W + scale·B·A (float64 sums). */
function referenceLoss(base: InternLM2Weights, adapter: LoraWeights): number {
  const ref = new InternLM2Reference(config, mergeLora(config, base, adapter, settings));
  const V = config.vocab_size;
  let sum = 0;
  let wsum = 0;
  rows.forEach((row, b) => {
    const logits = ref.forward(row);
    row.forEach((_, t) => {
      const i = b * row.length + t;
      if (!lossWeights[i]) return;
      const l = logits.subarray(t * V, (t + 1) * V);
      let max = Number.NEGATIVE_INFINITY;
      for (const v of l) max = Math.max(max, v);
      let z = 0;
      for (const v of l) z += Math.exp(v - max);
      sum += lossWeights[i] * (Math.log(z) + max - l[targets[i]]);
      wsum += lossWeights[i];
    });
  });
  return sum / wsum;
}

describe('LoRA gradients (ggml, frozen base) against two oracles', () => {
  it('matches the chain rule through the full-parameter gradients (checked against PyTorch) and trains nothing else', async () => {
    const base = await readAll(`${dir}model.safetensors`);
    const adapter = randomAdapter(11);
    using lora = withAdapter(base, adapter);
    const got = lora.lossAndGrads(rows, targets, lossWeights);
    // only adapter tensors come back, and ggml built no gradient for any base weight
    expect([...got.grads.keys()].sort()).toEqual([...adapter.keys()].sort());
    const graph = (lora as unknown as { graphs: [LossGraph | undefined, LossGraph | undefined] }).graphs[1] as LossGraph;
    for (const t of lora.params.tensors.values()) expect(graph.grad(t)).toBeNull();

    // dL/dA = s·Bᵀ·dL/dW and dL/dB = s·dL/dW·Aᵀ at the merged weights W' = W + s·B·A
    using full = new GgmlInternLM2(config, mergeLora(config, base, adapter, settings), { threads: 1, trainable: true });
    const want = full.lossAndGrads(rows, targets, lossWeights);
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-5);
    const s = loraScale(settings);
    const r = settings.rank;
    let worst = 0;
    for (const t of loraTargets(config, settings.target_modules)) {
      const gW = want.grads.get(t.base)!.data;
      const A = adapter.get(t.a)!.data;
      const B = adapter.get(t.b)!.data;
      const gA = new Float64Array(r * t.in);
      const gB = new Float64Array(t.out * r);
      for (let i = 0; i < t.out; i++)
        for (let j = 0; j < t.in; j++) {
          const g = gW[i * t.in + j] * s;
          for (let k = 0; k < r; k++) {
            gA[k * t.in + j] += B[i * r + k] * g;
            gB[i * r + k] += g * A[k * t.in + j];
          }
        }
      for (const [name, wantG] of [
        [t.a, gA],
        [t.b, gB],
      ] as const) {
        const g = got.grads.get(name)!.data;
        let scale = 0;
        let diff = 0;
        for (let i = 0; i < g.length; i++) {
          scale = Math.max(scale, Math.abs(wantG[i]));
          diff = Math.max(diff, Math.abs(g[i] - wantG[i]));
        }
        expect(scale, `${name} has a live gradient`).toBeGreaterThan(0);
        worst = Math.max(worst, diff / scale);
      }
    }
    console.log(`[lora-grad] chain rule: worst relative adapter-gradient error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-3);
  });

  it('matches central finite differences of the pure-TS reference forward with the adapter merged', async () => {
    const base = await readAll(`${dir}model.safetensors`);
    const adapter = randomAdapter(12);
    using lora = withAdapter(base, adapter);
    const { loss, grads } = lora.lossAndGrads(rows, targets, lossWeights);
    expect(Math.abs(loss - referenceLoss(base, adapter))).toBeLessThan(1e-4);
    // the largest-gradient entry of A and of B in a few tensors: big enough to stand out of f32 noise
    const checked: string[] = [];
    let worst = 0;
    for (const name of [...adapter.keys()].filter((n) => /layers\.(0|1)\.(attention\.wqkv|feed_forward\.w2)/.test(n))) {
      const g = grads.get(name)!.data;
      let at = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[at])) at = i;
      const x = adapter.get(name)!.data;
      const h = 1e-2;
      const keep = x[at];
      x[at] = keep + h;
      const up = referenceLoss(base, adapter);
      x[at] = keep - h;
      const down = referenceLoss(base, adapter);
      x[at] = keep;
      const fd = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - g[at]) / Math.abs(fd));
      checked.push(`${name.replace('base_model.model.model.', '')}[${at}] ggml ${g[at].toExponential(3)} fd ${fd.toExponential(3)}`);
    }
    console.log(`[lora-grad] finite differences:\n  ${checked.join('\n  ')}\n  worst relative error ${worst.toExponential(2)}`);
    expect(checked.length).toBe(8);
    expect(worst).toBeLessThan(2e-2);
  });

  it('with B = 0 (a fresh adapter) the model is exactly the base model', async () => {
    const base = await readAll(`${dir}model.safetensors`);
    using lora = withAdapter(base, initLoraWeights(config, settings, 3));
    using plain = new GgmlInternLM2(config, base, { threads: 1 });
    expect(lora.loss(rows, targets, lossWeights)).toBe(plain.loss(rows, targets, lossWeights));
  });

  it('dropout: the same seed gives the same gradients, another seed other ones, and evaluation uses none', async () => {
    const base = await readAll(`${dir}model.safetensors`);
    const adapter = randomAdapter(13);
    const s = { ...settings, dropout: 0.3 };
    using lora = withAdapter(base, adapter, s);
    using noDrop = withAdapter(base, adapter);
    const a = lora.lossAndGrads(rows, targets, lossWeights, undefined, 7);
    const b = lora.lossAndGrads(rows, targets, lossWeights, undefined, 7);
    const c = lora.lossAndGrads(rows, targets, lossWeights, undefined, 8);
    const name = [...adapter.keys()][0];
    expect(b.loss).toBe(a.loss);
    expect(b.grads.get(name)!.data).toEqual(a.grads.get(name)!.data);
    expect(c.grads.get(name)!.data).not.toEqual(a.grads.get(name)!.data);
    expect(lora.loss(rows, targets, lossWeights)).toBe(noDrop.loss(rows, targets, lossWeights));
  });

  it.each([
    ['q8_0', GgmlType.Q8_0],
    ['q4_0', GgmlType.Q4_0],
  ] as const)('QLoRA on a %s base: finite gradients close to LoRA on the dequantized f32 weights', async (type, ggmlType) => {
    const base = await readAll(`${dir}model.safetensors`);
    const adapter = randomAdapter(14);
    // the same values the quantized graph holds, as f32: the two then differ only in how ggml
    // multiplies (it rounds the activations to 8 bits inside a quantized product)
    const dequantized: InternLM2Weights = new Map(
      [...base].map(([n, w]) => [
        n,
        /\.(wqkv|wo|w1|w2|w3)\.weight$/.test(n)
          ? { shape: w.shape, data: decodeTensorData(ggmlType, encodeTensorData(ggmlType, w.data), w.data.length) }
          : w,
      ]),
    );
    using q = withAdapter(base, adapter, settings, type);
    using f = withAdapter(dequantized, adapter);
    expect(q.backwardMatmul).toBe('out_prod');
    const a = q.lossAndGrads(rows, targets, lossWeights);
    const b = f.lossAndGrads(rows, targets, lossWeights);
    let num = 0;
    let den = 0;
    let finite = true;
    for (const [name, g] of b.grads) {
      const h = a.grads.get(name)!.data;
      for (let i = 0; i < h.length; i++) {
        if (!Number.isFinite(h[i])) finite = false;
        num += (h[i] - g.data[i]) ** 2;
        den += g.data[i] ** 2;
      }
    }
    const rel = Math.sqrt(num / den);
    console.log(`[qlora-grad] ${type}: loss ${a.loss.toFixed(5)} vs f32 ${b.loss.toFixed(5)}; gradient ‖Δ‖/‖g‖ ${rel.toExponential(2)}`);
    expect(finite).toBe(true);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-2);
    expect(rel).toBeLessThan(0.1);
    const graph = (q as unknown as { graphs: [LossGraph | undefined, LossGraph | undefined] }).graphs[1] as LossGraph;
    for (const t of q.params.tensors.values()) expect(graph.grad(t)).toBeNull();
    // the mul_mat rewrite cannot transpose quantized weights (its gradients would be NaN): refused
    expect(() => new GgmlInternLM2(config, base, { threads: 1, baseType: type, backwardMatmul: 'mul_mat' })).toThrow(
      expect.objectContaining({ code: 'TRAIN_GRAPH_BAD_SHAPE' }),
    );
  });
});
