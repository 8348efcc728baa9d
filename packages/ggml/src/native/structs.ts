import koffi from 'koffi';

/**
 * C structs we pass by value, mirrored from the bundled headers
 * (ggml/include/ggml.h, ggml-opt.h, include/llama.h of node-llama-cpp 3.21.1's llama.cpp).
 * `structs.model.test.ts` checks each against the library's own `*_default_params()`.
 */
export const ggml_init_params = koffi.struct('ggml_init_params', {
  mem_size: 'size_t',
  mem_buffer: 'void*',
  no_alloc: 'bool',
});

export const ggml_opt_optimizer_params = koffi.struct('ggml_opt_optimizer_params', {
  adamw: koffi.struct({ alpha: 'float', beta1: 'float', beta2: 'float', eps: 'float', wd: 'float' }),
  sgd: koffi.struct({ alpha: 'float', wd: 'float' }),
});

export const ggml_opt_params = koffi.struct('ggml_opt_params', {
  backend_sched: 'void*',
  ctx_compute: 'void*',
  inputs: 'void*',
  outputs: 'void*',
  loss_type: 'int',
  build_type: 'int',
  opt_period: 'int32_t',
  get_opt_pars: 'void*',
  get_opt_pars_ud: 'void*',
  optimizer: 'int',
});

export const llama_batch = koffi.struct('llama_batch', {
  n_tokens: 'int32_t',
  token: 'void*',
  embd: 'void*',
  pos: 'void*',
  n_seq_id: 'void*',
  seq_id: 'void*',
  logits: 'void*',
});

export const llama_context_params = koffi.struct('llama_context_params', {
  n_ctx: 'uint32_t',
  n_batch: 'uint32_t',
  n_ubatch: 'uint32_t',
  n_seq_max: 'uint32_t',
  n_rs_seq: 'uint32_t',
  n_outputs_max: 'uint32_t',
  n_outputs_max_per_seq: 'uint32_t',
  n_threads: 'int32_t',
  n_threads_batch: 'int32_t',
  ctx_type: 'int',
  rope_scaling_type: 'int',
  pooling_type: 'int',
  attention_type: 'int',
  flash_attn_type: 'int',
  rope_freq_base: 'float',
  rope_freq_scale: 'float',
  yarn_ext_factor: 'float',
  yarn_attn_factor: 'float',
  yarn_beta_fast: 'float',
  yarn_beta_slow: 'float',
  yarn_orig_ctx: 'uint32_t',
  defrag_thold: 'float',
  cb_eval: 'void*',
  cb_eval_user_data: 'void*',
  type_k: 'int',
  type_v: 'int',
  abort_callback: 'void*',
  abort_callback_data: 'void*',
  embeddings: 'bool',
  offload_kqv: 'bool',
  no_perf: 'bool',
  op_offload: 'bool',
  swa_full: 'bool',
  kv_unified: 'bool',
  samplers: 'void*',
  n_samplers: 'size_t',
  ctx_other: 'void*',
});

export const llama_model_params = koffi.struct('llama_model_params', {
  devices: 'void*',
  tensor_buft_overrides: 'void*',
  n_gpu_layers: 'int32_t',
  split_mode: 'int',
  load_mode: 'int',
  lazy_mode: 'int',
  main_gpu: 'int32_t',
  tensor_split: 'void*',
  progress_callback: 'void*',
  progress_callback_user_data: 'void*',
  kv_overrides: 'void*',
  vocab_only: 'bool',
  check_tensors: 'bool',
  use_extra_bufts: 'bool',
  no_host: 'bool',
  no_alloc: 'bool',
  load_mtp: 'bool',
});

export const llama_model_quantize_params = koffi.struct('llama_model_quantize_params', {
  nthread: 'int32_t',
  ftype: 'int',
  output_tensor_type: 'int',
  token_embedding_type: 'int',
  allow_requantize: 'bool',
  quantize_output_tensor: 'bool',
  only_copy: 'bool',
  pure: 'bool',
  keep_split: 'bool',
  dry_run: 'bool',
  imatrix: 'void*',
  kv_overrides: 'void*',
  tt_overrides: 'void*',
  prune_layers: 'void*',
  max_buf_size: 'size_t',
});

export const llama_opt_params = koffi.struct('llama_opt_params', {
  n_ctx_train: 'uint32_t',
  param_filter: 'void*',
  param_filter_ud: 'void*',
  get_opt_pars: 'void*',
  get_opt_pars_ud: 'void*',
  optimizer_type: 'int',
});

/**
 * The JS shapes of the structs above, as koffi decodes them: pointer fields are bigint
 * addresses or null, 64-bit integers numbers (koffi switches to bigint only past 2^53).
 */
export interface GgmlInitParams {
  mem_size: number;
  mem_buffer: null;
  no_alloc: boolean;
}
export interface GgmlOptOptimizerParams {
  adamw: { alpha: number; beta1: number; beta2: number; eps: number; wd: number };
  sgd: { alpha: number; wd: number };
}
type NullablePtr = bigint | null;
export interface GgmlOptParams {
  backend_sched: NullablePtr;
  ctx_compute: NullablePtr;
  inputs: NullablePtr;
  outputs: NullablePtr;
  loss_type: number;
  build_type: number;
  opt_period: number;
  get_opt_pars: NullablePtr;
  get_opt_pars_ud: NullablePtr;
  optimizer: number;
}
export interface LlamaBatch {
  n_tokens: number;
  token: NullablePtr;
  embd: NullablePtr;
  pos: NullablePtr;
  n_seq_id: NullablePtr;
  seq_id: NullablePtr;
  logits: NullablePtr;
}
export interface LlamaContextParams {
  n_ctx: number;
  n_batch: number;
  n_ubatch: number;
  n_seq_max: number;
  n_rs_seq: number;
  n_outputs_max: number;
  n_outputs_max_per_seq: number;
  n_threads: number;
  n_threads_batch: number;
  ctx_type: number;
  rope_scaling_type: number;
  pooling_type: number;
  attention_type: number;
  flash_attn_type: number;
  rope_freq_base: number;
  rope_freq_scale: number;
  yarn_ext_factor: number;
  yarn_attn_factor: number;
  yarn_beta_fast: number;
  yarn_beta_slow: number;
  yarn_orig_ctx: number;
  defrag_thold: number;
  cb_eval: NullablePtr;
  cb_eval_user_data: NullablePtr;
  type_k: number;
  type_v: number;
  abort_callback: NullablePtr;
  abort_callback_data: NullablePtr;
  embeddings: boolean;
  offload_kqv: boolean;
  no_perf: boolean;
  op_offload: boolean;
  swa_full: boolean;
  kv_unified: boolean;
  samplers: NullablePtr;
  n_samplers: number;
  ctx_other: NullablePtr;
}
export interface LlamaModelParams {
  devices: NullablePtr;
  tensor_buft_overrides: NullablePtr;
  n_gpu_layers: number;
  split_mode: number;
  load_mode: number;
  lazy_mode: number;
  main_gpu: number;
  tensor_split: NullablePtr;
  progress_callback: NullablePtr;
  progress_callback_user_data: NullablePtr;
  kv_overrides: NullablePtr;
  vocab_only: boolean;
  check_tensors: boolean;
  use_extra_bufts: boolean;
  no_host: boolean;
  no_alloc: boolean;
  load_mtp: boolean;
}
export interface LlamaModelQuantizeParams {
  nthread: number;
  ftype: number;
  output_tensor_type: number;
  token_embedding_type: number;
  allow_requantize: boolean;
  quantize_output_tensor: boolean;
  only_copy: boolean;
  pure: boolean;
  keep_split: boolean;
  dry_run: boolean;
  imatrix: NullablePtr;
  kv_overrides: NullablePtr;
  tt_overrides: NullablePtr;
  prune_layers: NullablePtr;
  max_buf_size: number;
}
export interface LlamaOptParams {
  n_ctx_train: number;
  param_filter: NullablePtr;
  param_filter_ud: NullablePtr;
  get_opt_pars: NullablePtr;
  get_opt_pars_ud: NullablePtr;
  optimizer_type: number;
}
