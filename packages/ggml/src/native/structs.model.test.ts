import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { bindNative, loadGgmlLibrary, sig } from './ggml-lib.js';
import type { SchedPtr } from './pointers.js';
import {
  type GgmlOptOptimizerParams,
  type GgmlOptParams,
  ggml_opt_optimizer_params,
  ggml_opt_params,
  type LlamaBatch,
  type LlamaContextParams,
  type LlamaModelParams,
  llama_batch,
  llama_context_params,
  llama_model_params,
  llama_model_quantize_params,
  llama_opt_params,
} from './structs.js';

// The library's own constructors of each struct, bound here only: nothing else in
// Puyu calls them (the training bench binds the ones it uses in bench/train).
const ORACLES_BASE = {
  ggml_opt_get_default_optimizer_params: sig<(userdata: null) => GgmlOptOptimizerParams>(
    'ggml_opt_optimizer_params ggml_opt_get_default_optimizer_params(void* userdata)',
  ),
  ggml_opt_default_params: sig<(sched: SchedPtr, lossType: number) => GgmlOptParams>(
    'ggml_opt_params ggml_opt_default_params(void* backend_sched, int loss_type)',
  ),
};
const ORACLES_LLAMA = {
  llama_model_default_params: sig<() => LlamaModelParams>('llama_model_params llama_model_default_params()'),
  llama_context_default_params: sig<() => LlamaContextParams>('llama_context_params llama_context_default_params()'),
  llama_batch_get_one: sig<(tokens: Int32Array, n: number) => LlamaBatch>(
    'llama_batch llama_batch_get_one(int32_t* tokens, int32_t n_tokens)',
  ),
};

// Each struct mirrored in structs.ts is checked two ways: its size against the sizes
// measured on x86_64 (ARCHITECTURE.md), and its fields against the values the library's
// own *_default_params() returns by value — a shifted field shows up as a wrong value.
describe('struct layouts match the bundled llama.cpp headers', () => {
  const lib = loadGgmlLibrary();
  const oracle = { ...lib.fn, ...bindNative(lib, 'base', ORACLES_BASE), ...bindNative(lib, 'llama', ORACLES_LLAMA) };

  it('has the expected sizes', () => {
    expect(koffi.sizeof(llama_model_params)).toBe(80);
    expect(koffi.sizeof(llama_context_params)).toBe(160);
    expect(koffi.sizeof(llama_batch)).toBe(56);
    expect(koffi.sizeof(ggml_opt_params)).toBe(72);
    expect(koffi.sizeof(ggml_opt_optimizer_params)).toBe(28);
    expect(koffi.sizeof(llama_opt_params)).toBe(48);
    expect(koffi.sizeof(llama_model_quantize_params)).toBe(64);
  });

  it('ggml_opt_get_default_optimizer_params', () => {
    const p = oracle.ggml_opt_get_default_optimizer_params(null);
    expect(p.adamw.alpha).toBeCloseTo(0.001, 9);
    expect(p.adamw.beta1).toBeCloseTo(0.9, 6);
    expect(p.adamw.beta2).toBeCloseTo(0.999, 6);
    expect(p.adamw.eps).toBeCloseTo(1e-8, 12);
    expect(p.adamw.wd).toBe(0);
    expect(p.sgd.alpha).toBeCloseTo(1e-3, 9);
    expect(p.sgd.wd).toBe(0);
  });

  it('ggml_opt_default_params', () => {
    const fakeSched = 0x1234n as SchedPtr;
    const p = oracle.ggml_opt_default_params(fakeSched, 2 /* CROSS_ENTROPY */);
    expect(p.backend_sched).toBe(fakeSched);
    expect(p.ctx_compute).toBeNull();
    expect(p.loss_type).toBe(2);
    expect(p.build_type).toBe(30); // GGML_OPT_BUILD_TYPE_OPT
    expect(p.opt_period).toBe(1);
    expect(typeof p.get_opt_pars).toBe('bigint'); // ggml_opt_get_default_optimizer_params
    expect(p.get_opt_pars_ud).toBeNull();
    expect(p.optimizer).toBe(0); // ADAMW
  });

  it('llama_model_default_params', () => {
    const p = oracle.llama_model_default_params();
    expect(p.devices).toBeNull();
    expect(p.n_gpu_layers).toBe(-1);
    expect(p.split_mode).toBe(1); // LLAMA_SPLIT_MODE_LAYER
    expect(p.load_mode).toBe(-1); // LLAMA_LOAD_MODE_AUTO
    expect(p.lazy_mode).toBe(1); // LLAMA_LAZY_MODE_AUTO
    expect(p.main_gpu).toBe(0);
    expect(p.vocab_only).toBe(false);
    expect(p.use_extra_bufts).toBe(true);
    expect(p.no_host).toBe(false);
    expect(p.load_mtp).toBe(false);
  });

  it('llama_context_default_params', () => {
    const p = oracle.llama_context_default_params();
    expect(p.n_ctx).toBe(512);
    expect(p.n_batch).toBe(2048);
    expect(p.n_ubatch).toBe(512);
    expect(p.n_seq_max).toBe(1);
    expect(p.n_rs_seq).toBe(0);
    expect(p.n_outputs_max).toBe(0);
    expect(p.n_outputs_max_per_seq).toBe(1);
    expect(p.n_threads).toBe(4); // GGML_DEFAULT_N_THREADS
    expect(p.n_threads_batch).toBe(4);
    expect(p.ctx_type).toBe(0);
    expect(p.rope_scaling_type).toBe(-1); // LLAMA_ROPE_SCALING_TYPE_UNSPECIFIED
    expect(p.pooling_type).toBe(-1);
    expect(p.attention_type).toBe(-1);
    expect(p.flash_attn_type).toBe(-1); // LLAMA_FLASH_ATTN_TYPE_AUTO
    expect(p.rope_freq_base).toBe(0);
    expect(p.yarn_ext_factor).toBe(-1);
    expect(p.yarn_beta_slow).toBe(-1);
    expect(p.yarn_orig_ctx).toBe(0);
    expect(p.defrag_thold).toBe(-1);
    expect(p.cb_eval).toBeNull();
    expect(p.type_k).toBe(1); // GGML_TYPE_F16
    expect(p.type_v).toBe(1);
    expect(p.abort_callback_data).toBeNull();
    expect([p.embeddings, p.offload_kqv, p.no_perf, p.op_offload, p.swa_full, p.kv_unified]).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(p.samplers).toBeNull();
    expect(Number(p.n_samplers)).toBe(0);
    expect(p.ctx_other).toBeNull();
  });

  it('llama_batch_get_one', () => {
    const b = oracle.llama_batch_get_one(Int32Array.from([1, 2, 3]), 3);
    expect(b.n_tokens).toBe(3);
    expect(typeof b.token).toBe('bigint');
    expect([b.embd, b.pos, b.n_seq_id, b.seq_id, b.logits]).toEqual([null, null, null, null, null]);
  });

  it('llama_model_quantize_default_params', () => {
    const p = oracle.llama_model_quantize_default_params();
    expect(p.nthread).toBe(0);
    expect(p.ftype).toBe(7); // LLAMA_FTYPE_MOSTLY_Q8_0
    expect(p.output_tensor_type).toBe(43); // GGML_TYPE_COUNT
    expect(p.token_embedding_type).toBe(43);
    expect(p.allow_requantize).toBe(false);
    expect(p.quantize_output_tensor).toBe(true);
    expect(p.only_copy).toBe(false);
    expect(p.dry_run).toBe(false);
    expect(p.imatrix).toBeNull();
    expect(BigInt(p.max_buf_size)).toBe(8n * 1024n ** 3n);
  });
});
