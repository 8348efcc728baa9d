// @puyu/ggml — the one native boundary: typed koffi bindings to the ggml / ggml-backend /
// ggml-opt / libllama shared libraries that node-llama-cpp@3.21.1 ships.

export { GgmlBlasBackend } from './GgmlBlasBackend.js';
export { GGML_TYPE_F32, GGML_TYPE_I32, GgmlContext } from './GgmlContext.js';
export { defaultThreads, GgmlCpuBackend } from './GgmlCpuBackend.js';
export { findGgmlBinaries, type GgmlBinaries, platformPackage } from './native/binaries.js';
export { type GgmlFunctions, type GgmlLibrary, loadGgmlLibrary, type Ptr, setBackendThreads } from './native/ggml-lib.js';
export type { GgmlOptOptimizerParams, LlamaModelQuantizeParams } from './native/structs.js';
export { outProdToMulMat } from './outProdToMulMat.js';
export { LLAMA_FTYPE, quantizeGgufModel } from './quantize.js';
export { type NativeJobOptions, type NativeJobResult, runNativeJob } from './runNativeJob.js';
