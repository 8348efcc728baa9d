import { EngineError } from '@puyu/core';
import {
  type BufferPtr,
  type ContextPtr,
  GGML_TYPE_F32,
  GgmlContext,
  type GgmlCpuBackend,
  type GgmlFunctions,
  type TensorPtr,
} from '@puyu/ggml';
import type { InternLM2Config } from '@puyu/model';
import type { LinearModule } from '../graph/buildInternLM2Graph.js';
import type { AttachedAdapter, GraphAdapter } from '../graph/GraphAdapter.js';
import { type LoraSettings, type LoraTarget, type LoraWeights, loraScale, loraTargets } from './loraWeights.js';

/**
 * A LoRA adapter as ggml params on a frozen InternLM2: each adapted linear layer outputs
 * `W x + scale·B(A(dropout(x)))` (PEFT's order: dropout on the adapter's input only). A and B
 * are the only ggml params, so the backward pass computes their gradients and nothing for W.
 * Dropout masks are graph inputs filled per micro-batch from a seed, so a resumed run draws
 * the same masks as an uninterrupted one.
 */
export class LoraAdapter implements GraphAdapter {
  readonly tensors = new Map<string, TensorPtr>();
  readonly shapes = new Map<string, readonly number[]>();
  private readonly targets: Map<string, LoraTarget>;
  private readonly ctx: GgmlContext;
  private readonly buffer: BufferPtr;
  private freed = false;

  constructor(
    readonly backend: GgmlCpuBackend,
    config: InternLM2Config,
    readonly settings: LoraSettings,
  ) {
    const targets = loraTargets(config, settings.target_modules);
    this.targets = new Map(targets.map((t) => [`${t.layer}.${t.module}`, t]));
    this.ctx = new GgmlContext({ maxTensors: 2 * targets.length + 8 });
    const f = backend.lib.fn;
    const r = settings.rank;
    for (const t of targets) {
      for (const [name, shape] of [
        [t.a, [r, t.in]],
        [t.b, [t.out, r]],
      ] as const) {
        const x = this.ctx.tensor(GGML_TYPE_F32, [...shape].reverse(), `lora.${t.layer}.${t.module}.${name === t.a ? 'a' : 'b'}`);
        f.ggml_set_param(x);
        this.tensors.set(name, x);
        this.shapes.set(name, shape);
      }
    }
    const buffer = f.ggml_backend_alloc_ctx_tensors(this.ctx.ptr, backend.ptr);
    if (!buffer) {
      this.ctx.free();
      throw new EngineError('TRAIN_GRAPH_ALLOC_FAILED', 'could not allocate the LoRA adapter in the ggml backend (out of memory?).');
    }
    this.buffer = buffer;
  }

  /** Copies host adapter tensors (PEFT names) into the backend. */
  upload(weights: LoraWeights): void {
    const f = this.backend.lib.fn;
    for (const [name, t] of this.tensors) {
      const w = weights.get(name);
      const want = (this.shapes.get(name) as number[]).reduce((a, b) => a * b, 1);
      if (!w || w.data.length !== want)
        throw new EngineError('TRAIN_GRAPH_BAD_SHAPE', `adapter tensor ${name} is missing or does not hold ${want} values.`);
      f.ggml_backend_tensor_set(t, w.data, 0, w.data.byteLength);
    }
  }

  attach(f: GgmlFunctions, ctx: ContextPtr, N: number, training: boolean): AttachedAdapter {
    const scale = loraScale(this.settings);
    const p = this.settings.dropout;
    const masks: { tensor: TensorPtr; size: number; data?: Float32Array }[] = [];
    const hook = (layer: number, module: LinearModule, x: TensorPtr, y: TensorPtr): TensorPtr => {
      const t = this.targets.get(`${layer}.${module}`);
      if (!t) return y;
      let input = x;
      if (training && p > 0) {
        const mask = f.ggml_new_tensor_2d(ctx, GGML_TYPE_F32, t.in, N);
        f.ggml_set_input(mask);
        masks.push({ tensor: mask, size: t.in * N });
        input = f.ggml_mul(ctx, x, mask);
      }
      const a = this.tensors.get(t.a) as TensorPtr;
      const b = this.tensors.get(t.b) as TensorPtr;
      return f.ggml_add(ctx, y, f.ggml_scale(ctx, f.ggml_mul_mat(ctx, b, f.ggml_mul_mat(ctx, a, input)), scale));
    };
    const setInputs = (seed: number) => {
      // inverted dropout, as torch.nn.Dropout: kept inputs scaled by 1/(1−p). The masks hold
      // millions of values a step, so they come from an inlined mulberry32 compared as integers
      // (~30× faster than Prng.uniform() per value), one stream per mask, seeded from `seed`.
      const keep = 1 / (1 - p);
      const threshold = Math.floor(p * 4294967296);
      masks.forEach((m, i) => {
        m.data ??= new Float32Array(m.size);
        const data = m.data;
        let state = mixSeed(seed, i) | 0;
        for (let j = 0; j < data.length; j++) {
          state = (state + 0x6d2b79f5) | 0;
          let z = Math.imul(state ^ (state >>> 15), 1 | state);
          z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
          data[j] = (z ^ (z >>> 14)) >>> 0 < threshold ? 0 : keep;
        }
        f.ggml_backend_tensor_set(m.tensor, data, 0, data.byteLength);
      });
    };
    return { hook, setInputs };
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.backend.lib.fn.ggml_backend_buffer_free(this.buffer);
    this.ctx.free();
  }
}

/** A 32-bit seed from two integers (splitmix-style), so each mask of each batch differs. */
export function mixSeed(a: number, b: number): number {
  let z = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b + 0x632be5ab) >>> 0, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
