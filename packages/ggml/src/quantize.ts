import { EngineError } from '@puyu/core';
import { loadGgmlLibrary } from './native/ggml-lib.js';
import { withQuietLlamaLog } from './native/quietBackendLoad.js';

/** llama.cpp's `enum llama_ftype` values we expose (include/llama.h). */
export const LLAMA_FTYPE = {
  f32: 0,
  f16: 1,
  q4_0: 2,
  q4_1: 3,
  q8_0: 7,
  q5_0: 8,
  q5_1: 9,
  q2_k: 10,
  q3_k_s: 11,
  q3_k_m: 12,
  q3_k_l: 13,
  q4_k_s: 14,
  q4_k_m: 15,
  q5_k_s: 16,
  q5_k_m: 17,
  q6_k: 18,
  bf16: 32,
} as const;

/**
 * Quantizes a GGUF model with libllama's own `llama_model_quantize`, so K-quants
 * are exactly llama.cpp's. Threads default to 1 (see defaultThreads).
 */
export function quantizeGgufModel(
  input: string,
  output: string,
  type: keyof typeof LLAMA_FTYPE,
  opts: { threads?: number; quiet?: boolean } = {},
): void {
  const lib = loadGgmlLibrary();
  const ftype = LLAMA_FTYPE[type];
  if (ftype === undefined)
    throw new EngineError('QUANT_BAD_TYPE', `unknown quantization type "${type}"; use one of ${Object.keys(LLAMA_FTYPE).join(', ')}.`);
  lib.fn.llama_backend_init();
  const params = lib.fn.llama_model_quantize_default_params();
  params.nthread = opts.threads ?? 1;
  params.ftype = ftype;
  const run = () => lib.fn.llama_model_quantize(input, output, params);
  const rc = opts.quiet ? withQuietLlamaLog(lib.handles.llama, run) : run();
  if (rc !== 0)
    throw new EngineError(
      'QUANT_FAILED',
      `llama_model_quantize failed (code ${rc}) for ${input}; check that it is a valid GGUF model llama.cpp can load.`,
    );
}
