import { EngineError } from '@puyu/core';
import { type BufferPtr, GGML_TYPE_F32, GgmlContext, type GgmlCpuBackend, type TensorPtr } from '@puyu/ggml';
import { type F32Tensor, type InternLM2Config, type InternLM2Weights, internLM2TensorSpecs } from '@puyu/model';

/**
 * InternLM2 weights as ggml tensors in one backend buffer, keyed by HF name.
 * HF stores a linear layer as [out, in] row-major; ggml's ne is [in, out] over the
 * same bytes, so tensors copy across with no transpose.
 */
export class InternLM2Params {
  readonly tensors = new Map<string, TensorPtr>();
  readonly shapes = new Map<string, number[]>();
  private readonly ctx: GgmlContext;
  private readonly buffer: BufferPtr;
  private freed = false;

  constructor(
    readonly backend: GgmlCpuBackend,
    readonly config: InternLM2Config,
    opts: { trainable?: boolean } = {},
  ) {
    const specs = internLM2TensorSpecs(config);
    this.ctx = new GgmlContext({ maxTensors: specs.length + 8 });
    const f = backend.lib.fn;
    for (const s of specs) {
      const t = this.ctx.tensor(GGML_TYPE_F32, [...s.shape].reverse(), s.name.slice(0, 63));
      if (opts.trainable) f.ggml_set_param(t);
      this.tensors.set(s.name, t);
      this.shapes.set(s.name, s.shape);
    }
    const buffer = f.ggml_backend_alloc_ctx_tensors(this.ctx.ptr, backend.ptr);
    if (!buffer) {
      this.ctx.free(); // nobody gets this object to free it
      throw new EngineError('TRAIN_GRAPH_ALLOC_FAILED', 'could not allocate the model parameters in the ggml backend (out of memory?).');
    }
    this.buffer = buffer;
  }

  get(name: string): TensorPtr {
    const t = this.tensors.get(name);
    if (t === undefined) throw new EngineError('TRAIN_GRAPH_NO_TENSOR', `no parameter tensor named ${name}.`);
    return t;
  }

  /** Copies host weights (HF names and shapes) into the backend tensors. */
  upload(weights: InternLM2Weights): void {
    const f = this.backend.lib.fn;
    for (const [name, t] of this.tensors) {
      const w = weights.get(name);
      if (!w) throw new EngineError('TRAIN_GRAPH_NO_TENSOR', `weights lack ${name}.`);
      // ggml asserts (aborting the process) on a size mismatch; refuse it here instead
      const want = (this.shapes.get(name) as number[]).reduce((a, b) => a * b, 1);
      if (w.data.length !== want)
        throw new EngineError('TRAIN_GRAPH_BAD_SHAPE', `weights ${name} has ${w.data.length} values; this model's tensor holds ${want}.`);
      f.ggml_backend_tensor_set(t, w.data, 0, w.data.byteLength);
    }
  }

  /** Reads every tensor back to the host. */
  download(): InternLM2Weights {
    const f = this.backend.lib.fn;
    const out: InternLM2Weights = new Map();
    for (const [name, t] of this.tensors) {
      const shape = this.shapes.get(name) as number[];
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      f.ggml_backend_tensor_get(t, data, 0, data.byteLength);
      out.set(name, { shape, data } satisfies F32Tensor);
    }
    return out;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.backend.lib.fn.ggml_backend_buffer_free(this.buffer);
    this.ctx.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}
