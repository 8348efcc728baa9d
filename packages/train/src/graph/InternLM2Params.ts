import { EngineError } from '@puyu/core';
import { encodeTensorData, GgmlType } from '@puyu/formats';
import { type BufferPtr, GGML_TYPE_F32, GgmlContext, type GgmlCpuBackend, type TensorPtr } from '@puyu/ggml';
import { type F32Tensor, type InternLM2Config, type InternLM2Weights, internLM2TensorSpecs } from '@puyu/model';

/**
 * Storage of the frozen linear weights (wqkv, wo, w1, w2, w3): f32, or a llama.cpp block
 * quantization (QLoRA's base). Embeddings, norms and the output layer stay f32.
 */
export type BaseWeightType = 'f32' | 'q8_0' | 'q4_0';
const BASE_TYPES: Record<BaseWeightType, GgmlType> = { f32: GgmlType.F32, q8_0: GgmlType.Q8_0, q4_0: GgmlType.Q4_0 };
const LINEAR = /\.(attention\.(wqkv|wo)|feed_forward\.(w1|w2|w3))\.weight$/;

/**
 * InternLM2 weights as ggml tensors in one backend buffer, keyed by HF name.
 * HF stores a linear layer as [out, in] row-major; ggml's ne is [in, out] over the
 * same bytes, so tensors copy across with no transpose.
 */
export class InternLM2Params {
  readonly tensors = new Map<string, TensorPtr>();
  readonly shapes = new Map<string, number[]>();
  /** The ggml type each tensor is stored in (f32 unless `baseType` quantizes the linear weights). */
  readonly types = new Map<string, GgmlType>();
  private readonly ctx: GgmlContext;
  private readonly buffer: BufferPtr;
  private freed = false;

  constructor(
    readonly backend: GgmlCpuBackend,
    readonly config: InternLM2Config,
    opts: { trainable?: boolean; baseType?: BaseWeightType } = {},
  ) {
    const specs = internLM2TensorSpecs(config);
    this.ctx = new GgmlContext({ maxTensors: specs.length + 8 });
    const f = backend.lib.fn;
    const quantized = BASE_TYPES[opts.baseType ?? 'f32'];
    if (quantized !== GgmlType.F32 && opts.trainable)
      throw new EngineError('TRAIN_GRAPH_BAD_SHAPE', 'quantized base weights cannot be trained; freeze them (LoRA) or keep them f32.');
    for (const s of specs) {
      const type = LINEAR.test(s.name) && s.shape[1] % 32 === 0 ? quantized : GgmlType.F32;
      const t = this.ctx.tensor(type === GgmlType.F32 ? GGML_TYPE_F32 : type, [...s.shape].reverse(), s.name.slice(0, 63));
      this.types.set(s.name, type);
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
      const type = this.types.get(name) as GgmlType;
      const bytes = type === GgmlType.F32 ? w.data : encodeTensorData(type, w.data);
      f.ggml_backend_tensor_set(t, bytes, 0, bytes.byteLength);
    }
  }

  /** Reads every tensor back to the host (f32 tensors only: quantized ones are frozen copies). */
  download(): InternLM2Weights {
    const f = this.backend.lib.fn;
    const out: InternLM2Weights = new Map();
    for (const [name, t] of this.tensors) {
      if (this.types.get(name) !== GgmlType.F32) continue;
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
