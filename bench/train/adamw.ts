/**
 * AdamW's host update alone, per step, one thread: ours (AdamW.step → the WebAssembly SIMD kernel,
 * packages/train/src/optim/adamwSimd.ts), the float64 JavaScript loop it replaced (kept here as the
 * baseline), and PyTorch's torch.optim.AdamW over tensors of the same sizes. Sizes: the quickstart's
 * model (1.3M parameters) and the training bench's reference model (3.7M).
 *
 *   npx tsx --conditions=source bench/train/adamw.ts [--reps 5] [--steps 30] [--python /usr/bin/python3]
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initInternLM2, makeInternLM2Config } from '@puyu/model';
import { AdamW, type AdamWStepScalars, decaysMatrices } from '@puyu/train';
import { ggmlCpuLines } from '../shared/ggmlCpu.js';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    steps: { type: 'string', default: '30' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const reps = Number(values.reps);
const steps = Number(values.steps);
const here = dirname(fileURLToPath(import.meta.url));

/** The update as it ran before the kernel: float64 JavaScript, one element at a time. */
function scalarStep(
  params: Map<string, Float32Array>,
  grads: Map<string, Float32Array>,
  m: Map<string, Float32Array>,
  v: Map<string, Float32Array>,
  s: AdamWStepScalars,
  decays: (name: string) => boolean,
) {
  for (const [name, p] of params) {
    const g = grads.get(name) as Float32Array;
    const mm = m.get(name) as Float32Array;
    const vv = v.get(name) as Float32Array;
    const decay = decays(name) ? s.decay : 1;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] as number;
      const mi = s.beta1 * (mm[i] as number) + (1 - s.beta1) * gi;
      const vi = s.beta2 * (vv[i] as number) + (1 - s.beta2) * gi * gi;
      mm[i] = mi;
      vv[i] = vi;
      p[i] = (p[i] as number) * decay - (s.stepSize * mi) / (Math.sqrt(vi) / s.sqrtBc2 + s.eps);
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const models = {
  quickstart: {
    vocab_size: 2048,
    hidden_size: 128,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    intermediate_size: 384,
  },
  reference: {
    vocab_size: 2048,
    hidden_size: 256,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    intermediate_size: 768,
  },
};
console.log(ggmlCpuLines()[0]);
console.log(`AdamW host update, one thread, median step of ${steps} per repetition`);
for (const [label, shape] of Object.entries(models)) {
  const weights = initInternLM2(makeInternLM2Config({ ...shape, max_position_embeddings: 512 }), { seed: 1 });
  const params = new Map([...weights].map(([n, t]) => [n, t.data]));
  const total = [...params.values()].reduce((a, p) => a + p.length, 0);
  const grads = new Map([...params].map(([n, p]) => [n, p.map((_, i) => ((i % 13) - 6) * 1e-3)]));
  const sizes = [...params.values()].map((p) => p.length).join(',');
  const rows: string[] = [];
  for (let r = 1; r <= reps; r++) {
    const adam = new AdamW(
      { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 },
      decaysMatrices(new Map([...weights].map(([n, t]) => [n, t.shape]))),
    );
    const oursMs: number[] = [];
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      adam.step(params, grads, 1e-3);
      oursMs.push(performance.now() - t0);
    }
    const scalarMs: number[] = [];
    for (let s = 0; s < steps; s++) {
      const sc = adam.beginStep(1e-3);
      const t0 = performance.now();
      scalarStep(params, grads, adam.m, adam.v, sc, adam.decays);
      scalarMs.push(performance.now() - t0);
    }
    const torch = JSON.parse(execFileSync(values.python, [join(here, 'torch_adamw.py'), sizes, String(steps)], { encoding: 'utf8' })) as {
      ms: number[];
      torch: string;
    };
    const [o, sc, t] = [median(oursMs.slice(2)), median(scalarMs.slice(2)), median(torch.ms.slice(2))];
    rows.push(
      `${label} (${(total / 1e6).toFixed(2)}M) rep ${r}: ours ${o.toFixed(2)} ms | float64 JS loop ${sc.toFixed(2)} ms | PyTorch ${torch.torch} ${t.toFixed(2)} ms | ours vs JS loop ${(sc / o).toFixed(2)}× | ours vs PyTorch ${(t / o).toFixed(2)}×`,
    );
    console.log(rows.at(-1));
  }
}
