import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { loadGgmlLibrary } from './ggml-lib.js';
import {
  ggml_opt_optimizer_params,
  ggml_opt_params,
  llama_model_params,
  llama_model_quantize_params,
  llama_opt_params,
} from './structs.js';

// Each struct mirrored in structs.ts is checked two ways: its size against the sizes
// measured on x86_64 (ARCHITECTURE.md), and its fields against the values the library's
// own *_default_params() returns by value — a shifted field shows up as a wrong value.
describe('struct layouts match the bundled llama.cpp headers', () => {
  const lib = loadGgmlLibrary();

  it('has the expected sizes', () => {
    expect(koffi.sizeof(llama_model_params)).toBe(80);
    expect(koffi.sizeof(ggml_opt_params)).toBe(72);
    expect(koffi.sizeof(ggml_opt_optimizer_params)).toBe(28);
    expect(koffi.sizeof(llama_opt_params)).toBe(48);
    expect(koffi.sizeof(llama_model_quantize_params)).toBe(64);
  });

  it('ggml_opt_get_default_optimizer_params', () => {
    const p = lib.fn.ggml_opt_get_default_optimizer_params(null);
    expect(p.adamw.alpha).toBeCloseTo(0.001, 9);
    expect(p.adamw.beta1).toBeCloseTo(0.9, 6);
    expect(p.adamw.beta2).toBeCloseTo(0.999, 6);
    expect(p.adamw.eps).toBeCloseTo(1e-8, 12);
    expect(p.adamw.wd).toBe(0);
    expect(p.sgd.alpha).toBeCloseTo(1e-3, 9);
    expect(p.sgd.wd).toBe(0);
  });

  it('ggml_opt_default_params', () => {
    const fakeSched = 0x1234n;
    const p = lib.fn.ggml_opt_default_params(fakeSched, 2 /* CROSS_ENTROPY */);
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
    const p = lib.fn.llama_model_default_params();
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

  it('llama_model_quantize_default_params', () => {
    const p = lib.fn.llama_model_quantize_default_params();
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
