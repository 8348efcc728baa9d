import { isMainThread } from 'node:worker_threads';
import { EngineError } from '@puyu/core';
import koffi, { type LibraryHandle, type TypeObject } from 'koffi';
import { type CpuBackendInfo, loadCpuBackend } from '../nativeCpu/loadCpuBackend.js';
import { cpuVariantOf, loadedGgmlLibraries } from '../nativeCpu/loadedLibraries.js';
import { findGgmlBinaries, type GgmlBinaries } from './binaries.js';
import type {
  BackendPtr,
  BackendRegPtr,
  BufferPtr,
  BufferTypePtr,
  ContextPtr,
  FnPtr,
  GallocrPtr,
  GraphPtr,
  SchedPtr,
  TensorPtr,
} from './pointers.js';
import { withQuietGgmlLog } from './quietBackendLoad.js';
// Evaluated for its effect: it registers the named struct types the prototypes below use.
import './structs.js';
import type { GgmlInitParams, LlamaModelQuantizeParams } from './structs.js';

/**
 * A C prototype paired with the TypeScript signature it is bound as. The signature is
 * only declared (koffi cannot check it), so it sits on the same line as the prototype
 * it must agree with: C `void*` of a known kind → a branded Ptr, `size_t`/`int64_t` →
 * number, `const char*` → string, buffers → typed arrays.
 */
export interface Binding<F> {
  readonly proto: string;
  /** Phantom: carries the signature type, never set. */
  readonly signature?: F;
}
// biome-ignore lint/suspicious/noExplicitAny: the constraint must admit every function signature
type AnyFn = (...args: any[]) => any;
export function sig<F extends AnyFn>(proto: string): Binding<F> {
  return { proto };
}
/** The typed functions a table of bindings becomes. */
export type Bound<T extends Record<string, Binding<AnyFn>>> = { [K in keyof T]: T[K] extends Binding<infer F> ? F : never };

type T = TensorPtr;
type Ctx = ContextPtr;
type Unary = (ctx: Ctx, a: T) => T;
type Binary = (ctx: Ctx, a: T, b: T) => T;

// Prototypes in C syntax: koffi parses them, and they read like the headers they mirror.
const BASE = {
  ggml_init: sig<(params: GgmlInitParams) => Ctx | null>('void* ggml_init(ggml_init_params params)'),
  ggml_free: sig<(ctx: Ctx) => void>('void ggml_free(void* ctx)'),
  ggml_tensor_overhead: sig<() => number>('size_t ggml_tensor_overhead()'),
  ggml_graph_overhead_custom: sig<(size: number, grads: boolean) => number>('size_t ggml_graph_overhead_custom(size_t size, bool grads)'),
  ggml_type_size: sig<(type: number) => number>('size_t ggml_type_size(int type)'),
  ggml_blck_size: sig<(type: number) => number>('int64_t ggml_blck_size(int type)'),
  ggml_type_name: sig<(type: number) => string>('const char* ggml_type_name(int type)'),
  ggml_nbytes: sig<(t: T) => number>('size_t ggml_nbytes(void* t)'),
  ggml_nelements: sig<(t: T) => number>('int64_t ggml_nelements(void* t)'),
  ggml_new_tensor_1d: sig<(ctx: Ctx, type: number, ne0: number) => T>('void* ggml_new_tensor_1d(void* ctx, int type, int64_t ne0)'),
  ggml_new_tensor_2d: sig<(ctx: Ctx, type: number, ne0: number, ne1: number) => T>(
    'void* ggml_new_tensor_2d(void* ctx, int type, int64_t ne0, int64_t ne1)',
  ),
  ggml_new_tensor_3d: sig<(ctx: Ctx, type: number, ne0: number, ne1: number, ne2: number) => T>(
    'void* ggml_new_tensor_3d(void* ctx, int type, int64_t ne0, int64_t ne1, int64_t ne2)',
  ),
  ggml_new_tensor_4d: sig<(ctx: Ctx, type: number, ne0: number, ne1: number, ne2: number, ne3: number) => T>(
    'void* ggml_new_tensor_4d(void* ctx, int type, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3)',
  ),
  ggml_set_name: sig<(t: T, name: string) => T>('void* ggml_set_name(void* t, const char* name)'),
  ggml_get_name: sig<(t: T) => string>('const char* ggml_get_name(void* t)'),
  ggml_set_param: sig<(t: T) => void>('void ggml_set_param(void* t)'),
  ggml_set_loss: sig<(t: T) => void>('void ggml_set_loss(void* t)'),
  ggml_set_input: sig<(t: T) => void>('void ggml_set_input(void* t)'),
  ggml_set_output: sig<(t: T) => void>('void ggml_set_output(void* t)'),
  ggml_mul_mat: sig<Binary>('void* ggml_mul_mat(void* ctx, void* a, void* b)'),
  ggml_out_prod: sig<Binary>('void* ggml_out_prod(void* ctx, void* a, void* b)'),
  ggml_add: sig<Binary>('void* ggml_add(void* ctx, void* a, void* b)'),
  ggml_mul: sig<Binary>('void* ggml_mul(void* ctx, void* a, void* b)'),
  ggml_sub: sig<Binary>('void* ggml_sub(void* ctx, void* a, void* b)'),
  ggml_scale: sig<(ctx: Ctx, a: T, s: number) => T>('void* ggml_scale(void* ctx, void* a, float s)'),
  ggml_silu: sig<Unary>('void* ggml_silu(void* ctx, void* a)'),
  ggml_rms_norm: sig<(ctx: Ctx, a: T, eps: number) => T>('void* ggml_rms_norm(void* ctx, void* a, float eps)'),
  ggml_get_rows: sig<Binary>('void* ggml_get_rows(void* ctx, void* a, void* b)'),
  ggml_reshape_2d: sig<(ctx: Ctx, a: T, ne0: number, ne1: number) => T>(
    'void* ggml_reshape_2d(void* ctx, void* a, int64_t ne0, int64_t ne1)',
  ),
  ggml_reshape_3d: sig<(ctx: Ctx, a: T, ne0: number, ne1: number, ne2: number) => T>(
    'void* ggml_reshape_3d(void* ctx, void* a, int64_t ne0, int64_t ne1, int64_t ne2)',
  ),
  ggml_reshape_4d: sig<(ctx: Ctx, a: T, ne0: number, ne1: number, ne2: number, ne3: number) => T>(
    'void* ggml_reshape_4d(void* ctx, void* a, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3)',
  ),
  ggml_permute: sig<(ctx: Ctx, a: T, ax0: number, ax1: number, ax2: number, ax3: number) => T>(
    'void* ggml_permute(void* ctx, void* a, int ax0, int ax1, int ax2, int ax3)',
  ),
  ggml_cont: sig<Unary>('void* ggml_cont(void* ctx, void* a)'),
  ggml_cast: sig<(ctx: Ctx, a: T, type: number) => T>('void* ggml_cast(void* ctx, void* a, int type)'),
  ggml_transpose: sig<Unary>('void* ggml_transpose(void* ctx, void* a)'),
  // a custom op: `fun` (a C function pointer) computes the result, a new tensor shaped like `a`
  ggml_map_custom1: sig<(ctx: Ctx, a: T, fun: FnPtr, nTasks: number, userdata: null) => T>(
    'void* ggml_map_custom1(void* ctx, void* a, void* fun, int n_tasks, void* userdata)',
  ),
  ggml_soft_max_ext: sig<(ctx: Ctx, a: T, mask: T | null, scale: number, maxBias: number) => T>(
    'void* ggml_soft_max_ext(void* ctx, void* a, void* mask, float scale, float max_bias)',
  ),
  ggml_rope_ext: sig<
    (
      ctx: Ctx,
      a: T,
      positions: T,
      freqFactors: T | null,
      nDims: number,
      mode: number,
      nCtxOrig: number,
      freqBase: number,
      freqScale: number,
      extFactor: number,
      attnFactor: number,
      betaFast: number,
      betaSlow: number,
    ) => T
  >(
    'void* ggml_rope_ext(void* ctx, void* a, void* b, void* c, int n_dims, int mode, int n_ctx_orig, float freq_base, float freq_scale, float ext_factor, float attn_factor, float beta_fast, float beta_slow)',
  ),
  ggml_cross_entropy_loss: sig<Binary>('void* ggml_cross_entropy_loss(void* ctx, void* a, void* b)'),
  ggml_view_3d: sig<(ctx: Ctx, a: T, ne0: number, ne1: number, ne2: number, nb1: number, nb2: number, offset: number) => T>(
    'void* ggml_view_3d(void* ctx, void* a, int64_t ne0, int64_t ne1, int64_t ne2, size_t nb1, size_t nb2, size_t offset)',
  ),
  ggml_view_4d: sig<
    (ctx: Ctx, a: T, ne0: number, ne1: number, ne2: number, ne3: number, nb1: number, nb2: number, nb3: number, offset: number) => T
  >(
    'void* ggml_view_4d(void* ctx, void* a, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3, size_t nb1, size_t nb2, size_t nb3, size_t offset)',
  ),
  ggml_log: sig<Unary>('void* ggml_log(void* ctx, void* a)'),
  ggml_sum_rows: sig<Unary>('void* ggml_sum_rows(void* ctx, void* a)'),
  ggml_soft_max: sig<Unary>('void* ggml_soft_max(void* ctx, void* a)'),
  ggml_sum: sig<Unary>('void* ggml_sum(void* ctx, void* a)'),
  ggml_new_graph_custom: sig<(ctx: Ctx, size: number, grads: boolean) => GraphPtr>(
    'void* ggml_new_graph_custom(void* ctx, size_t size, bool grads)',
  ),
  ggml_build_forward_expand: sig<(graph: GraphPtr, tensor: T) => void>('void ggml_build_forward_expand(void* cgraph, void* tensor)'),
  ggml_build_backward_expand: sig<(ctx: Ctx, graph: GraphPtr, gradAccs: readonly T[] | null) => void>(
    'void ggml_build_backward_expand(void* ctx, void* cgraph, void** grad_accs)',
  ),
  ggml_graph_n_nodes: sig<(graph: GraphPtr) => number>('int ggml_graph_n_nodes(void* cgraph)'),
  ggml_graph_node: sig<(graph: GraphPtr, i: number) => T>('void* ggml_graph_node(void* cgraph, int i)'),
  ggml_graph_get_grad: sig<(graph: GraphPtr, node: T) => T | null>('void* ggml_graph_get_grad(void* cgraph, void* node)'),
  ggml_graph_get_grad_acc: sig<(graph: GraphPtr, node: T) => T | null>('void* ggml_graph_get_grad_acc(void* cgraph, void* node)'),
  ggml_graph_reset: sig<(graph: GraphPtr) => void>('void ggml_graph_reset(void* cgraph)'),
};

const GGML = {
  ggml_backend_load_all_from_path: sig<(dir: string) => void>('void ggml_backend_load_all_from_path(const char* dir)'),
  ggml_backend_reg_count: sig<() => number>('size_t ggml_backend_reg_count()'),
  ggml_backend_reg_get: sig<(i: number) => BackendRegPtr>('void* ggml_backend_reg_get(size_t i)'),
  ggml_backend_reg_name: sig<(reg: BackendRegPtr) => string>('const char* ggml_backend_reg_name(void* reg)'),
  ggml_backend_reg_by_name: sig<(name: string) => BackendRegPtr | null>('void* ggml_backend_reg_by_name(const char* name)'),
  ggml_backend_reg_get_proc_address: sig<(reg: BackendRegPtr, name: string) => FnPtr | null>(
    'void* ggml_backend_reg_get_proc_address(void* reg, const char* name)',
  ),
  ggml_backend_init_by_type: sig<(type: number, params: string | null) => BackendPtr | null>(
    'void* ggml_backend_init_by_type(int type, const char* params)',
  ),
  ggml_backend_init_by_name: sig<(name: string, params: string | null) => BackendPtr | null>(
    'void* ggml_backend_init_by_name(const char* name, const char* params)',
  ),
  ggml_backend_load: sig<(path: string) => BackendRegPtr | null>('void* ggml_backend_load(const char* path)'),
  ggml_backend_free: sig<(backend: BackendPtr) => void>('void ggml_backend_free(void* backend)'),
  ggml_backend_name: sig<(backend: BackendPtr) => string>('const char* ggml_backend_name(void* backend)'),
  ggml_backend_alloc_ctx_tensors: sig<(ctx: Ctx, backend: BackendPtr) => BufferPtr | null>(
    'void* ggml_backend_alloc_ctx_tensors(void* ctx, void* backend)',
  ),
  ggml_backend_buffer_free: sig<(buffer: BufferPtr) => void>('void ggml_backend_buffer_free(void* buffer)'),
  ggml_backend_tensor_set: sig<(tensor: T, data: ArrayBufferView, offset: number, size: number) => void>(
    'void ggml_backend_tensor_set(void* tensor, const void* data, size_t offset, size_t size)',
  ),
  ggml_backend_tensor_get: sig<(tensor: T, data: ArrayBufferView, offset: number, size: number) => void>(
    'void ggml_backend_tensor_get(void* tensor, _Out_ void* data, size_t offset, size_t size)',
  ),
  ggml_backend_graph_compute: sig<(backend: BackendPtr, graph: GraphPtr) => number>(
    'int ggml_backend_graph_compute(void* backend, void* cgraph)',
  ),
  ggml_backend_get_default_buffer_type: sig<(backend: BackendPtr) => BufferTypePtr>(
    'void* ggml_backend_get_default_buffer_type(void* backend)',
  ),
  ggml_gallocr_new: sig<(buft: BufferTypePtr) => GallocrPtr | null>('void* ggml_gallocr_new(void* buft)'),
  ggml_gallocr_free: sig<(galloc: GallocrPtr) => void>('void ggml_gallocr_free(void* galloc)'),
  ggml_gallocr_alloc_graph: sig<(galloc: GallocrPtr, graph: GraphPtr) => boolean>(
    'bool ggml_gallocr_alloc_graph(void* galloc, void* graph)',
  ),
  ggml_backend_sched_new: sig<
    (
      backends: readonly BackendPtr[],
      bufts: readonly BufferTypePtr[] | null,
      nBackends: number,
      graphSize: number,
      parallel: boolean,
      opOffload: boolean,
    ) => SchedPtr | null
  >('void* ggml_backend_sched_new(void** backends, void** bufts, int n_backends, size_t graph_size, bool parallel, bool op_offload)'),
  ggml_backend_sched_free: sig<(sched: SchedPtr) => void>('void ggml_backend_sched_free(void* sched)'),
  ggml_backend_sched_reset: sig<(sched: SchedPtr) => void>('void ggml_backend_sched_reset(void* sched)'),
  ggml_backend_sched_alloc_graph: sig<(sched: SchedPtr, graph: GraphPtr) => boolean>(
    'bool ggml_backend_sched_alloc_graph(void* sched, void* graph)',
  ),
  ggml_backend_sched_graph_compute: sig<(sched: SchedPtr, graph: GraphPtr) => number>(
    'int ggml_backend_sched_graph_compute(void* sched, void* graph)',
  ),
};

const LLAMA = {
  llama_backend_init: sig<() => void>('void llama_backend_init()'),
  llama_model_quantize_default_params: sig<() => LlamaModelQuantizeParams>(
    'llama_model_quantize_params llama_model_quantize_default_params()',
  ),
  llama_model_quantize: sig<(input: string, output: string, params: LlamaModelQuantizeParams) => number>(
    'uint32_t llama_model_quantize(const char* fname_inp, const char* fname_out, const llama_model_quantize_params* params)',
  ),
};

/**
 * What the library itself calls. Functions only a benchmark or a test needs are bound
 * where they are used (`bindNative`), so this surface stays what Puyu depends on.
 */
export type GgmlFunctions = Bound<typeof BASE> & Bound<typeof GGML> & Bound<typeof LLAMA>;

/** The three shared libraries, in link order. */
export type GgmlLibraryName = 'base' | 'ggml' | 'llama';

export interface GgmlLibrary {
  binaries: GgmlBinaries;
  fn: GgmlFunctions;
  /** The loaded libraries, for `bindNative`. */
  handles: Readonly<Record<GgmlLibraryName, LibraryHandle>>;
  /** Backend registries that loaded (e.g. ["CPU"]). */
  backends: string[];
  /** Which CPU backend runs (native build or prebuilt variant) and why. */
  cpu: CpuBackendInfo;
}

let loaded: GgmlLibrary | undefined;

function bindTable<B extends Record<string, Binding<AnyFn>>>(handle: LibraryHandle, table: B): Bound<B> {
  const out: Record<string, unknown> = {};
  for (const [name, b] of Object.entries(table)) {
    // the key is how callers name the function; a prototype of another name would bind the wrong symbol
    if (!b.proto.includes(` ${name}(`))
      throw new EngineError('GGML_BAD_BINDING', `binding ${name} has the prototype of another function: ${b.proto}`);
    out[name] = handle.func(b.proto);
  }
  // the one unchecked step: koffi returns untyped functions, each declared by its `sig` above
  return out as Bound<B>;
}

/**
 * Binds more functions of a loaded library (those a benchmark or a test needs), typed
 * by their `sig` declarations. Struct types they name must be registered first.
 */
export function bindNative<B extends Record<string, Binding<AnyFn>>>(lib: GgmlLibrary, from: GgmlLibraryName, table: B): Bound<B> {
  return bindTable(lib.handles[from], table);
}

/**
 * Loads ggml-base, then ggml, then llama (their link order), then the CPU backend: the
 * native build from the cache when there is one for this CPU, else the best prebuilt
 * variant ggml picks (loadCpuBackend). Loading is process-wide and happens once.
 */
export function loadGgmlLibrary(): GgmlLibrary {
  if (loaded) return loaded;
  const binaries = findGgmlBinaries();
  let handles: Record<GgmlLibraryName, LibraryHandle>;
  try {
    const base = koffi.load(binaries.ggmlBase);
    const ggml = koffi.load(binaries.ggml);
    const llama = koffi.load(binaries.llama);
    handles = { base, ggml, llama };
  } catch (e) {
    throw new EngineError('GGML_LOAD_FAILED', `could not load ggml from ${binaries.dir}: ${(e as Error).message}`, { cause: e });
  }
  const fn: GgmlFunctions = { ...bindTable(handles.base, BASE), ...bindTable(handles.ggml, GGML), ...bindTable(handles.llama, LLAMA) };
  // ggml's registry is process-wide and does not skip a backend it already holds: a worker thread
  // (training's data-parallel replicas) uses the CPU backend its main thread registered
  const cpu =
    !isMainThread && fn.ggml_backend_reg_by_name('CPU')
      ? registeredCpuBackend()
      : withQuietGgmlLog(handles.base, () => loadCpuBackend(fn, binaries.dir));
  const backends: string[] = [];
  const n = fn.ggml_backend_reg_count();
  for (let i = 0; i < n; i++) backends.push(fn.ggml_backend_reg_name(fn.ggml_backend_reg_get(i)));
  if (!backends.includes('CPU'))
    throw new EngineError(
      'GGML_NO_CPU_BACKEND',
      `ggml loaded no CPU backend from ${binaries.dir} (found: ${backends.join(', ') || 'none'}).`,
    );
  loaded = { binaries, fn, handles, backends, cpu };
  return loaded;
}

/** The CPU backend another thread of this process registered, as far as the mapped libraries tell. */
function registeredCpuBackend(): CpuBackendInfo {
  const path = loadedGgmlLibraries().find((p) => cpuVariantOf(p) !== 'unknown');
  const variant = path ? cpuVariantOf(path) : 'unknown';
  return { kind: variant === 'native' ? 'native' : 'prebuilt', variant, path, why: "registered by this process's main thread" };
}

/** Sets a backend's thread count through its registry's proc address, as ggml exposes it. */
export function setBackendThreads(lib: GgmlLibrary, backend: BackendPtr, threads: number, regName = 'CPU'): void {
  const reg = lib.fn.ggml_backend_reg_by_name(regName);
  const addr = reg && lib.fn.ggml_backend_reg_get_proc_address(reg, 'ggml_backend_set_n_threads');
  if (!addr) throw new EngineError('GGML_NO_THREADS_API', `the ${regName} backend does not export ggml_backend_set_n_threads.`);
  koffi.call(addr, setThreadsProto(), backend, threads);
}

let threadsProto: TypeObject | undefined;
function setThreadsProto(): TypeObject {
  threadsProto ??= koffi.proto('void ggml_backend_set_n_threads_fn(void* backend, int n_threads)');
  return threadsProto;
}
