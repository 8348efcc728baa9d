import { defineErrorCodes } from '@puyu/core';

/** The error codes @puyu/ggml throws (see docs/errors.md and @puyu/core's defineErrorCodes). */
export const GGML_ERROR_PREFIXES = ['GGML_', 'NATIVE_', 'QUANT_'] as const;

export const GGML_ERROR_CODES = defineErrorCodes('@puyu/ggml', GGML_ERROR_PREFIXES, {
  GGML_PLATFORM_UNSUPPORTED: {
    meaning: 'No prebuilt llama.cpp package (which carries the ggml libraries) is installed for this platform.',
    action: 'Run `npm install`, or set PUYU_GGML_DIR to a folder with libggml-base, libggml and libllama.',
  },
  GGML_LIB_MISSING: {
    meaning: 'The ggml shared libraries are not in the llama.cpp package folder.',
    action: 'Reinstall with `npm install` (node-llama-cpp@3.21.1 ships them) or set PUYU_GGML_DIR.',
  },
  GGML_LOAD_FAILED: {
    meaning: 'The ggml shared libraries were found but could not be loaded.',
    action: 'Check the libraries match this platform and Node (the message has the loader error); reinstall if unsure.',
  },
  GGML_BAD_BINDING: {
    meaning: 'A native binding declares the prototype of another function.',
    action: 'A bug in Puyu: report it.',
  },
  GGML_NO_CPU_BACKEND: {
    meaning: 'ggml loaded no CPU backend from its library folder.',
    action: 'Reinstall node-llama-cpp, or point PUYU_GGML_DIR at a complete build.',
  },
  GGML_NO_THREADS_API: {
    meaning: 'A ggml backend does not export ggml_backend_set_n_threads.',
    action: 'Use the ggml build that node-llama-cpp@3.21.1 ships, or a BLAS backend built from the same ggml.',
  },
  GGML_BAD_THREADS: {
    meaning: 'The thread count is not a positive integer.',
    action: 'Pass --threads N with N ≥ 1.',
  },
  GGML_BACKEND_INIT_FAILED: {
    meaning: 'ggml could not start its CPU backend.',
    action: 'Check free memory and reinstall node-llama-cpp if it persists.',
  },
  GGML_BLAS_MISSING: {
    meaning: 'No ggml BLAS backend exists at the configured path.',
    action: 'Build one with bench/train/build-ggml-blas.sh, or unset PUYU_GGML_BLAS.',
  },
  GGML_BLAS_LOAD_FAILED: {
    meaning: 'ggml could not load the BLAS backend library.',
    action: 'Rebuild it against the same ggml version (bench/train/build-ggml-blas.sh).',
  },
  GGML_BLAS_INIT_FAILED: {
    meaning: 'The BLAS backend loaded but did not start.',
    action: 'Rebuild it (bench/train/build-ggml-blas.sh) or unset PUYU_GGML_BLAS to train on the CPU backend.',
  },
  GGML_INIT_FAILED: {
    meaning: 'ggml_init could not allocate a context (out of memory).',
    action: 'Free memory, or shrink the model, batch or sequence length.',
  },
  GGML_BAD_RANK: {
    meaning: 'A tensor was asked for with fewer than 1 or more than 4 dimensions, which ggml cannot hold.',
    action: 'A bug in the graph code: report it.',
  },
  NATIVE_JOB_SPAWN_FAILED: {
    meaning: 'The child process that runs native work could not be started.',
    action: 'Check the system can start processes (limits, memory) and that Node is installed correctly.',
  },
  NATIVE_JOB_FAILED: {
    meaning: 'The native child process crashed, was killed or timed out (SIGABRT: ggml aborted).',
    action: 'Read the output tail in the message; lower memory use or report the abort with it.',
  },
  NATIVE_JOB_ERROR: {
    meaning: 'The native child process threw an error that is not a Puyu error (a bug in the job).',
    action: 'Rerun with PUYU_DEBUG=1 and report the child stack in the error details.',
  },
  NATIVE_BUILD_FAILED: {
    meaning:
      'Compiling the native ggml CPU backend from the llama.cpp source node-llama-cpp ships failed (only `puyu doctor --build` reports it as an error; elsewhere Puyu runs on the prebuilt variants).',
    action:
      'Read the log the message names (`<cache>/ggml-native/<key>.build.log`); fix the compiler or cmake, or set PUYU_NATIVE_CPU=off.',
  },
  QUANT_BAD_TYPE: {
    meaning: 'The quantization type is not one llama.cpp knows.',
    action: 'Use one of the types the message lists (e.g. q8_0, q4_0, q4_k_m, q5_k_m, q6_k).',
  },
  QUANT_FAILED: {
    meaning: 'llama.cpp could not quantize the model.',
    action: 'Check the input is a valid GGUF llama.cpp can load (`puyu model inspect`), and that the output folder is writable.',
  },
});

export type GgmlErrorCode = keyof typeof GGML_ERROR_CODES;
