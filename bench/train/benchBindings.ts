/**
 * ggml / libllama functions only the training bench calls (llama.cpp's own trainer as a
 * peer, the per-op profiler), bound on top of @puyu/ggml's library with their
 * TypeScript signatures beside the C prototypes, as ggml-lib.ts does for the library.
 */
import {
  bindNative,
  type FnPtr,
  type GgmlOptOptimizerParams,
  type LlamaBatch,
  type LlamaContextParams,
  type LlamaModelParams,
  type LlamaOptParams,
  loadGgmlLibrary,
  type Ptr,
  type SchedPtr,
  sig,
  type TensorPtr,
} from '@puyu/ggml';

export type LlamaModelPtr = Ptr<'llama_model'>;
export type LlamaContextPtr = Ptr<'llama_context'>;
export type LlamaMemoryPtr = Ptr<'llama_memory'>;
export type OptDatasetPtr = Ptr<'ggml_opt_dataset'>;
export type OptResultPtr = Ptr<'ggml_opt_result'>;

const BASE = {
  ggml_op_desc: sig<(t: TensorPtr) => string>('const char* ggml_op_desc(void* t)'),
  ggml_get_data: sig<(t: TensorPtr) => Ptr>('void* ggml_get_data(void* t)'),
  ggml_opt_get_default_optimizer_params: sig<(userdata: null) => GgmlOptOptimizerParams>(
    'ggml_opt_optimizer_params ggml_opt_get_default_optimizer_params(void* userdata)',
  ),
  ggml_opt_dataset_init: sig<
    (typeData: number, typeLabel: number, neDatapoint: number, neLabel: number, ndata: number, ndataShard: number) => OptDatasetPtr | null
  >(
    'void* ggml_opt_dataset_init(int type_data, int type_label, int64_t ne_datapoint, int64_t ne_label, int64_t ndata, int64_t ndata_shard)',
  ),
  ggml_opt_dataset_free: sig<(dataset: OptDatasetPtr) => void>('void ggml_opt_dataset_free(void* dataset)'),
  ggml_opt_dataset_data: sig<(dataset: OptDatasetPtr) => TensorPtr>('void* ggml_opt_dataset_data(void* dataset)'),
  ggml_opt_dataset_labels: sig<(dataset: OptDatasetPtr) => TensorPtr>('void* ggml_opt_dataset_labels(void* dataset)'),
  ggml_opt_result_init: sig<() => OptResultPtr>('void* ggml_opt_result_init()'),
  ggml_opt_result_free: sig<(result: OptResultPtr) => void>('void ggml_opt_result_free(void* result)'),
  ggml_opt_result_reset: sig<(result: OptResultPtr) => void>('void ggml_opt_result_reset(void* result)'),
  ggml_opt_result_loss: sig<(result: OptResultPtr, loss: number[], unc: number[]) => void>(
    'void ggml_opt_result_loss(void* result, _Out_ double* loss, _Out_ double* unc)',
  ),
};

const GGML = {
  ggml_backend_sched_set_eval_callback: sig<(sched: SchedPtr, callback: FnPtr | null, userData: null) => void>(
    'void ggml_backend_sched_set_eval_callback(void* sched, void* callback, void* user_data)',
  ),
  ggml_backend_sched_reset: sig<(sched: SchedPtr) => void>('void ggml_backend_sched_reset(void* sched)'),
};

const LLAMA = {
  llama_model_default_params: sig<() => LlamaModelParams>('llama_model_params llama_model_default_params()'),
  llama_context_default_params: sig<() => LlamaContextParams>('llama_context_params llama_context_default_params()'),
  llama_model_load_from_file: sig<(path: string, params: LlamaModelParams) => LlamaModelPtr | null>(
    'void* llama_model_load_from_file(const char* path_model, llama_model_params params)',
  ),
  llama_model_free: sig<(model: LlamaModelPtr) => void>('void llama_model_free(void* model)'),
  llama_init_from_model: sig<(model: LlamaModelPtr, params: LlamaContextParams) => LlamaContextPtr | null>(
    'void* llama_init_from_model(void* model, llama_context_params params)',
  ),
  llama_free: sig<(ctx: LlamaContextPtr) => void>('void llama_free(void* ctx)'),
  llama_batch_get_one: sig<(tokens: Int32Array, n: number) => LlamaBatch>(
    'llama_batch llama_batch_get_one(int32_t* tokens, int32_t n_tokens)',
  ),
  llama_decode: sig<(ctx: LlamaContextPtr, batch: LlamaBatch) => number>('int32_t llama_decode(void* ctx, llama_batch batch)'),
  llama_get_memory: sig<(ctx: LlamaContextPtr) => LlamaMemoryPtr>('void* llama_get_memory(void* ctx)'),
  llama_memory_clear: sig<(mem: LlamaMemoryPtr, data: boolean) => void>('void llama_memory_clear(void* mem, bool data)'),
  llama_opt_init: sig<(ctx: LlamaContextPtr, model: LlamaModelPtr, params: LlamaOptParams) => void>(
    'void llama_opt_init(void* lctx, void* model, llama_opt_params lopt_params)',
  ),
  llama_opt_epoch: sig<
    (
      ctx: LlamaContextPtr,
      dataset: OptDatasetPtr,
      resultTrain: OptResultPtr,
      resultEval: OptResultPtr | null,
      idataSplit: number,
      callbackTrain: FnPtr | null,
      callbackEval: FnPtr | null,
    ) => void
  >(
    'void llama_opt_epoch(void* lctx, void* dataset, void* result_train, void* result_eval, int64_t idata_split, void* callback_train, void* callback_eval)',
  ),
};

/** The library's functions plus the bench's own. */
export function loadBenchBindings() {
  const lib = loadGgmlLibrary();
  return { ...lib.fn, ...bindNative(lib, 'base', BASE), ...bindNative(lib, 'ggml', GGML), ...bindNative(lib, 'llama', LLAMA) };
}
