import { EngineError } from '@puyu/core';
import { type GgmlLibrary, loadGgmlLibrary } from './native/ggml-lib.js';
import type { ContextPtr, TensorPtr } from './native/pointers.js';

export const GGML_TYPE_F32 = 0;
export const GGML_TYPE_I32 = 26;

/**
 * A ggml context holding tensor *metadata* only (`no_alloc`): data lives in backend
 * buffers, so an undersized arena can't silently overflow into a GGML_ASSERT abort —
 * we size it from the tensor count up front.
 */
export class GgmlContext {
  readonly lib: GgmlLibrary;
  readonly ptr: ContextPtr;
  private freed = false;

  constructor(opts: { maxTensors: number; graphSize?: number; grads?: boolean }) {
    this.lib = loadGgmlLibrary();
    const f = this.lib.fn;
    const tensorBytes = f.ggml_tensor_overhead() * opts.maxTensors;
    const graphBytes = opts.graphSize ? f.ggml_graph_overhead_custom(opts.graphSize, opts.grads ?? false) : 0;
    const ptr = f.ggml_init({ mem_size: tensorBytes + graphBytes + 1024, mem_buffer: null, no_alloc: true });
    if (!ptr) throw new EngineError('GGML_INIT_FAILED', 'ggml_init returned NULL (out of memory?).');
    this.ptr = ptr;
  }

  /** `ne` is in ggml order: ne[0] is the fastest-varying (row length). */
  tensor(type: number, ne: readonly number[], name?: string): TensorPtr {
    const f = this.lib.fn;
    let t: TensorPtr;
    if (ne.length === 1) t = f.ggml_new_tensor_1d(this.ptr, type, ne[0]);
    else if (ne.length === 2) t = f.ggml_new_tensor_2d(this.ptr, type, ne[0], ne[1]);
    else if (ne.length === 3) t = f.ggml_new_tensor_3d(this.ptr, type, ne[0], ne[1], ne[2]);
    else if (ne.length === 4) t = f.ggml_new_tensor_4d(this.ptr, type, ne[0], ne[1], ne[2], ne[3]);
    else throw new EngineError('GGML_BAD_RANK', `ggml tensors have 1 to 4 dimensions, got ${ne.length}.`);
    if (name) f.ggml_set_name(t, name);
    return t;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.lib.fn.ggml_free(this.ptr);
  }

  [Symbol.dispose](): void {
    this.free();
  }
}
