import { EngineError } from '@puyu/core';
import koffi, { type LibraryHandle, type TypeObject } from 'koffi';
import { findGgmlBinaries, type GgmlBinaries } from './binaries.js';
// Evaluated for its effect: it registers the named struct types the prototypes below use.
import './structs.js';

/** An opaque C pointer as koffi hands it back (`void*` → bigint; 0n is NULL). */
export type Ptr = bigint;

// Prototypes in C syntax: koffi parses them, and they read like the headers they mirror.
const BASE = {
  ggml_init: 'void* ggml_init(ggml_init_params params)',
  ggml_free: 'void ggml_free(void* ctx)',
  ggml_tensor_overhead: 'size_t ggml_tensor_overhead()',
  ggml_graph_overhead_custom: 'size_t ggml_graph_overhead_custom(size_t size, bool grads)',
  ggml_type_size: 'size_t ggml_type_size(int type)',
  ggml_blck_size: 'int64_t ggml_blck_size(int type)',
  ggml_type_name: 'const char* ggml_type_name(int type)',
  ggml_op_desc: 'const char* ggml_op_desc(void* t)',
  ggml_nbytes: 'size_t ggml_nbytes(void* t)',
  ggml_nelements: 'int64_t ggml_nelements(void* t)',
  ggml_new_tensor_1d: 'void* ggml_new_tensor_1d(void* ctx, int type, int64_t ne0)',
  ggml_new_tensor_2d: 'void* ggml_new_tensor_2d(void* ctx, int type, int64_t ne0, int64_t ne1)',
  ggml_new_tensor_3d: 'void* ggml_new_tensor_3d(void* ctx, int type, int64_t ne0, int64_t ne1, int64_t ne2)',
  ggml_new_tensor_4d: 'void* ggml_new_tensor_4d(void* ctx, int type, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3)',
  ggml_set_name: 'void* ggml_set_name(void* t, const char* name)',
  ggml_get_name: 'const char* ggml_get_name(void* t)',
  ggml_set_param: 'void ggml_set_param(void* t)',
  ggml_set_loss: 'void ggml_set_loss(void* t)',
  ggml_set_input: 'void ggml_set_input(void* t)',
  ggml_set_output: 'void ggml_set_output(void* t)',
  ggml_mul_mat: 'void* ggml_mul_mat(void* ctx, void* a, void* b)',
  ggml_out_prod: 'void* ggml_out_prod(void* ctx, void* a, void* b)',
  ggml_add: 'void* ggml_add(void* ctx, void* a, void* b)',
  ggml_mul: 'void* ggml_mul(void* ctx, void* a, void* b)',
  ggml_scale: 'void* ggml_scale(void* ctx, void* a, float s)',
  ggml_silu: 'void* ggml_silu(void* ctx, void* a)',
  ggml_rms_norm: 'void* ggml_rms_norm(void* ctx, void* a, float eps)',
  ggml_get_rows: 'void* ggml_get_rows(void* ctx, void* a, void* b)',
  ggml_reshape_2d: 'void* ggml_reshape_2d(void* ctx, void* a, int64_t ne0, int64_t ne1)',
  ggml_reshape_3d: 'void* ggml_reshape_3d(void* ctx, void* a, int64_t ne0, int64_t ne1, int64_t ne2)',
  ggml_reshape_4d: 'void* ggml_reshape_4d(void* ctx, void* a, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3)',
  ggml_permute: 'void* ggml_permute(void* ctx, void* a, int ax0, int ax1, int ax2, int ax3)',
  ggml_cont: 'void* ggml_cont(void* ctx, void* a)',
  ggml_transpose: 'void* ggml_transpose(void* ctx, void* a)',
  ggml_soft_max_ext: 'void* ggml_soft_max_ext(void* ctx, void* a, void* mask, float scale, float max_bias)',
  ggml_rope_ext:
    'void* ggml_rope_ext(void* ctx, void* a, void* b, void* c, int n_dims, int mode, int n_ctx_orig, float freq_base, float freq_scale, float ext_factor, float attn_factor, float beta_fast, float beta_slow)',
  ggml_cross_entropy_loss: 'void* ggml_cross_entropy_loss(void* ctx, void* a, void* b)',
  ggml_view_3d: 'void* ggml_view_3d(void* ctx, void* a, int64_t ne0, int64_t ne1, int64_t ne2, size_t nb1, size_t nb2, size_t offset)',
  ggml_view_4d:
    'void* ggml_view_4d(void* ctx, void* a, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3, size_t nb1, size_t nb2, size_t nb3, size_t offset)',
  ggml_log: 'void* ggml_log(void* ctx, void* a)',
  ggml_sum_rows: 'void* ggml_sum_rows(void* ctx, void* a)',
  ggml_soft_max: 'void* ggml_soft_max(void* ctx, void* a)',
  ggml_sub: 'void* ggml_sub(void* ctx, void* a, void* b)',
  ggml_sum: 'void* ggml_sum(void* ctx, void* a)',
  ggml_new_graph_custom: 'void* ggml_new_graph_custom(void* ctx, size_t size, bool grads)',
  ggml_build_forward_expand: 'void ggml_build_forward_expand(void* cgraph, void* tensor)',
  ggml_build_backward_expand: 'void ggml_build_backward_expand(void* ctx, void* cgraph, void** grad_accs)',
  ggml_graph_n_nodes: 'int ggml_graph_n_nodes(void* cgraph)',
  ggml_graph_node: 'void* ggml_graph_node(void* cgraph, int i)',
  ggml_graph_get_grad: 'void* ggml_graph_get_grad(void* cgraph, void* node)',
  ggml_graph_get_grad_acc: 'void* ggml_graph_get_grad_acc(void* cgraph, void* node)',
  ggml_graph_reset: 'void ggml_graph_reset(void* cgraph)',
  ggml_opt_get_default_optimizer_params: 'ggml_opt_optimizer_params ggml_opt_get_default_optimizer_params(void* userdata)',
  ggml_opt_default_params: 'ggml_opt_params ggml_opt_default_params(void* backend_sched, int loss_type)',
  ggml_get_data: 'void* ggml_get_data(void* t)',
  ggml_op_name: 'const char* ggml_op_name(int op)',
  ggml_opt_dataset_init:
    'void* ggml_opt_dataset_init(int type_data, int type_label, int64_t ne_datapoint, int64_t ne_label, int64_t ndata, int64_t ndata_shard)',
  ggml_opt_dataset_free: 'void ggml_opt_dataset_free(void* dataset)',
  ggml_opt_dataset_data: 'void* ggml_opt_dataset_data(void* dataset)',
  ggml_opt_dataset_labels: 'void* ggml_opt_dataset_labels(void* dataset)',
  ggml_opt_result_init: 'void* ggml_opt_result_init()',
  ggml_opt_result_free: 'void ggml_opt_result_free(void* result)',
  ggml_opt_result_reset: 'void ggml_opt_result_reset(void* result)',
  ggml_opt_result_loss: 'void ggml_opt_result_loss(void* result, _Out_ double* loss, _Out_ double* unc)',
} as const;

const GGML = {
  ggml_backend_load_all_from_path: 'void ggml_backend_load_all_from_path(const char* dir)',
  ggml_backend_reg_count: 'size_t ggml_backend_reg_count()',
  ggml_backend_reg_get: 'void* ggml_backend_reg_get(size_t i)',
  ggml_backend_reg_name: 'const char* ggml_backend_reg_name(void* reg)',
  ggml_backend_reg_by_name: 'void* ggml_backend_reg_by_name(const char* name)',
  ggml_backend_reg_get_proc_address: 'void* ggml_backend_reg_get_proc_address(void* reg, const char* name)',
  ggml_backend_init_by_type: 'void* ggml_backend_init_by_type(int type, const char* params)',
  ggml_backend_init_by_name: 'void* ggml_backend_init_by_name(const char* name, const char* params)',
  ggml_backend_load: 'void* ggml_backend_load(const char* path)',
  ggml_backend_free: 'void ggml_backend_free(void* backend)',
  ggml_backend_name: 'const char* ggml_backend_name(void* backend)',
  ggml_backend_alloc_ctx_tensors: 'void* ggml_backend_alloc_ctx_tensors(void* ctx, void* backend)',
  ggml_backend_buffer_free: 'void ggml_backend_buffer_free(void* buffer)',
  ggml_backend_tensor_set: 'void ggml_backend_tensor_set(void* tensor, const void* data, size_t offset, size_t size)',
  ggml_backend_tensor_get: 'void ggml_backend_tensor_get(void* tensor, _Out_ void* data, size_t offset, size_t size)',
  ggml_backend_graph_compute: 'int ggml_backend_graph_compute(void* backend, void* cgraph)',
  ggml_backend_get_default_buffer_type: 'void* ggml_backend_get_default_buffer_type(void* backend)',
  ggml_gallocr_new: 'void* ggml_gallocr_new(void* buft)',
  ggml_gallocr_free: 'void ggml_gallocr_free(void* galloc)',
  ggml_gallocr_alloc_graph: 'bool ggml_gallocr_alloc_graph(void* galloc, void* graph)',
  ggml_backend_sched_new:
    'void* ggml_backend_sched_new(void** backends, void** bufts, int n_backends, size_t graph_size, bool parallel, bool op_offload)',
  ggml_backend_sched_free: 'void ggml_backend_sched_free(void* sched)',
  ggml_backend_sched_set_eval_callback: 'void ggml_backend_sched_set_eval_callback(void* sched, void* callback, void* user_data)',
  ggml_backend_sched_alloc_graph: 'bool ggml_backend_sched_alloc_graph(void* sched, void* graph)',
  ggml_backend_sched_graph_compute: 'int ggml_backend_sched_graph_compute(void* sched, void* graph)',
  ggml_backend_sched_reset: 'void ggml_backend_sched_reset(void* sched)',
} as const;

const LLAMA = {
  llama_model_default_params: 'llama_model_params llama_model_default_params()',
  llama_model_quantize_default_params: 'llama_model_quantize_params llama_model_quantize_default_params()',
  llama_model_quantize:
    'uint32_t llama_model_quantize(const char* fname_inp, const char* fname_out, const llama_model_quantize_params* params)',
  llama_backend_init: 'void llama_backend_init()',
  llama_context_default_params: 'llama_context_params llama_context_default_params()',
  llama_model_load_from_file: 'void* llama_model_load_from_file(const char* path_model, llama_model_params params)',
  llama_model_free: 'void llama_model_free(void* model)',
  llama_init_from_model: 'void* llama_init_from_model(void* model, llama_context_params params)',
  llama_free: 'void llama_free(void* ctx)',
  llama_n_ctx: 'uint32_t llama_n_ctx(void* ctx)',
  llama_batch_get_one: 'llama_batch llama_batch_get_one(int32_t* tokens, int32_t n_tokens)',
  llama_decode: 'int32_t llama_decode(void* ctx, llama_batch batch)',
  llama_get_memory: 'void* llama_get_memory(void* ctx)',
  llama_memory_clear: 'void llama_memory_clear(void* mem, bool data)',
  llama_opt_init: 'void llama_opt_init(void* lctx, void* model, llama_opt_params lopt_params)',
  llama_opt_epoch:
    'void llama_opt_epoch(void* lctx, void* dataset, void* result_train, void* result_eval, int64_t idata_split, void* callback_train, void* callback_eval)',
} as const;

// biome-ignore lint/suspicious/noExplicitAny: koffi functions are variadic at the type level; callers go through typed wrappers
type NativeFn = (...args: any[]) => any;
export type GgmlFunctions = Record<keyof typeof BASE | keyof typeof GGML | keyof typeof LLAMA, NativeFn>;

export interface GgmlLibrary {
  binaries: GgmlBinaries;
  fn: GgmlFunctions;
  /** Backend registries that loaded (e.g. ["CPU"]). */
  backends: string[];
}

let loaded: GgmlLibrary | undefined;

/**
 * Loads ggml-base, then ggml, then llama (their link order), and lets ggml pick the
 * best CPU variant for this processor. Loading is process-wide and happens once.
 */
export function loadGgmlLibrary(): GgmlLibrary {
  if (loaded) return loaded;
  const binaries = findGgmlBinaries();
  let libs: { base: LibraryHandle; ggml: LibraryHandle; llama: LibraryHandle };
  try {
    const base = koffi.load(binaries.ggmlBase);
    const ggml = koffi.load(binaries.ggml);
    const llama = koffi.load(binaries.llama);
    libs = { base, ggml, llama };
  } catch (e) {
    throw new EngineError('GGML_LOAD_FAILED', `could not load ggml from ${binaries.dir}: ${(e as Error).message}`, { cause: e });
  }
  const fn = {} as GgmlFunctions;
  const bind = (lib: LibraryHandle, table: Record<string, string>) => {
    for (const [name, proto] of Object.entries(table)) fn[name as keyof GgmlFunctions] = lib.func(proto) as NativeFn;
  };
  bind(libs.base, BASE);
  bind(libs.ggml, GGML);
  bind(libs.llama, LLAMA);
  fn.ggml_backend_load_all_from_path(binaries.dir);
  const backends: string[] = [];
  const n = Number(fn.ggml_backend_reg_count());
  for (let i = 0; i < n; i++) backends.push(fn.ggml_backend_reg_name(fn.ggml_backend_reg_get(i)) as string);
  if (!backends.includes('CPU'))
    throw new EngineError(
      'GGML_NO_CPU_BACKEND',
      `ggml loaded no CPU backend from ${binaries.dir} (found: ${backends.join(', ') || 'none'}).`,
    );
  loaded = { binaries, fn, backends };
  return loaded;
}

/** Sets a backend's thread count through its registry's proc address, as ggml exposes it. */
export function setBackendThreads(lib: GgmlLibrary, backend: Ptr, threads: number, regName = 'CPU'): void {
  const reg = lib.fn.ggml_backend_reg_by_name(regName) as Ptr;
  const addr = lib.fn.ggml_backend_reg_get_proc_address(reg, 'ggml_backend_set_n_threads') as Ptr;
  if (!addr) throw new EngineError('GGML_NO_THREADS_API', `the ${regName} backend does not export ggml_backend_set_n_threads.`);
  koffi.call(addr, setThreadsProto(), backend, threads);
}

let threadsProto: TypeObject | undefined;
function setThreadsProto(): TypeObject {
  threadsProto ??= koffi.proto('void ggml_backend_set_n_threads_fn(void* backend, int n_threads)');
  return threadsProto;
}
