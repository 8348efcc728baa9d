// The PyTorch gradient fixture (../../fixtures/grad/, written by scripts/reference/train_grad_reference.py,
// PyTorch CPU fp32) as the oracle tests read it: one tiny InternLM2, one packed batch of two rows whose
// loss weights differ, and PyTorch's loss and gradients for it. Test support only (not built).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SafetensorsFile } from '@puyu/formats';
import { type InternLM2Config, type InternLM2Weights, parseInternLM2Config } from '@puyu/model';

export const GRAD_FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/grad/', import.meta.url));

/** Every tensor of a safetensors file as f32. */
export async function readWeights(path: string): Promise<InternLM2Weights> {
  await using st = await SafetensorsFile.open(path);
  const out: InternLM2Weights = new Map();
  for (const t of st.tensors) out.set(t.name, { shape: [...t.shape], data: await st.readF32(t.name) });
  return out;
}

export interface GradFixture {
  config: InternLM2Config;
  rows: number[][];
  /** [B·T] flat, as the loss takes them. */
  targets: number[];
  weights: number[];
  /** One id per document per row (a row's documents never share an id with another row's). */
  docIds: number[];
  /** PyTorch's masked mean loss for the batch. */
  loss: number;
  model: InternLM2Weights;
  /** PyTorch's gradient of every tensor. */
  grads: InternLM2Weights;
}

export async function readGradFixture(): Promise<GradFixture> {
  const dir = GRAD_FIXTURE_DIR;
  const config = parseInternLM2Config(JSON.parse(readFileSync(`${dir}config.json`, 'utf8')));
  const batch = JSON.parse(readFileSync(`${dir}batch.json`, 'utf8')) as {
    rows: number[][];
    targets: number[][];
    docs: number[][];
    weights: number[][];
    loss: number;
  };
  const T = (batch.rows[0] as number[]).length;
  return {
    config,
    rows: batch.rows,
    targets: batch.targets.flat(),
    weights: batch.weights.flat(),
    docIds: batch.docs.flat().map((d, i) => d + 100 * Math.floor(i / T)),
    loss: batch.loss,
    model: await readWeights(`${dir}model.safetensors`),
    grads: await readWeights(`${dir}grads.safetensors`),
  };
}

/** Worst over tensors of max |Δ| / max |want| (relative to each tensor's largest gradient, so near-zero entries don't dominate). */
export function worstRelative(
  want: ReadonlyMap<string, { data: Float32Array }>,
  got: ReadonlyMap<string, { data: Float32Array }>,
): { worst: number; name: string } {
  let worst = 0;
  let name = '';
  for (const [n, g] of want) {
    const x = got.get(n)?.data;
    if (!x) throw new Error(`no gradient for ${n}`);
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < g.data.length; i++) {
      scale = Math.max(scale, Math.abs(g.data[i] as number));
      diff = Math.max(diff, Math.abs((g.data[i] as number) - (x[i] as number)));
    }
    if (scale > 0 && diff / scale > worst) {
      worst = diff / scale;
      name = n;
    }
  }
  return { worst, name };
}
