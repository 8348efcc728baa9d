// @puyu/ggml — the one native boundary: typed koffi bindings to the ggml / ggml-backend /
// ggml-opt / libllama shared libraries that node-llama-cpp@3.21.1 ships.

export { castWeightProducts, GGML_TYPE_BF16 } from './castWeightProducts.js';
export { formatGgmlDoctorReport, type GgmlDoctorReport, ggmlDoctorReport } from './doctor.js';
export { GGML_ERROR_CODES, GGML_ERROR_PREFIXES, type GgmlErrorCode } from './errorCodes.js';
export { blasFromEnv, GgmlBlasBackend } from './GgmlBlasBackend.js';
export { GGML_TYPE_F32, GGML_TYPE_I32, GgmlContext } from './GgmlContext.js';
export { defaultThreads, GgmlCpuBackend } from './GgmlCpuBackend.js';
export {
  isJobOutcome,
  type JobOutcome,
  type PuyuErrorClass,
  reviveError,
  type SerializedError,
  serializeError,
} from './jobErrors.js';
export { findGgmlBinaries, type GgmlBinaries, platformPackage } from './native/binaries.js';
export {
  type Binding,
  type Bound,
  bindNative,
  type GgmlFunctions,
  type GgmlLibrary,
  type GgmlLibraryName,
  loadGgmlLibrary,
  setBackendThreads,
  sig,
} from './native/ggml-lib.js';
export {
  asPtr,
  type BackendPtr,
  type BackendRegPtr,
  type BufferPtr,
  type BufferTypePtr,
  type ContextPtr,
  type FnPtr,
  type GallocrPtr,
  type GraphPtr,
  type Ptr,
  type SchedPtr,
  type TensorPtr,
} from './native/pointers.js';
export type {
  GgmlInitParams,
  GgmlOptOptimizerParams,
  GgmlOptParams,
  LlamaBatch,
  LlamaContextParams,
  LlamaModelParams,
  LlamaModelQuantizeParams,
  LlamaOptParams,
} from './native/structs.js';
export { type AutoBlasState, autoBlasState, findOpenBlas, type OpenBlasFiles } from './nativeCpu/autoBlas.js';
export { cpuBackendFeatures } from './nativeCpu/cpuFeatures.js';
export { type CpuIdentity, cpuFeatureHash, readCpuIdentity, simdSummary } from './nativeCpu/cpuIdentity.js';
export { type EnsureNativeCpuOptions, ensureNativeCpuBackend, type NativeCpuOutcome } from './nativeCpu/ensureNativeCpu.js';
export { useCpuBackendForNodeLlamaCpp } from './nativeCpu/forNodeLlamaCpp.js';
export type { CpuBackendInfo } from './nativeCpu/loadCpuBackend.js';
export { cpuVariantOf, loadedGgmlLibraries } from './nativeCpu/loadedLibraries.js';
export { type NativeBuildInfo, nativeCacheRoot } from './nativeCpu/nativeCache.js';
export { type NativeCpuContext, nativeCpuContext } from './nativeCpu/nativeCpuContext.js';
export { outProdToMulMat } from './outProdToMulMat.js';
export { LLAMA_FTYPE, quantizeGgufModel } from './quantize.js';
export { type NativeJobOptions, type NativeJobResult, runNativeJob } from './runNativeJob.js';
export { serveNativeJob } from './serveNativeJob.js';
export { type TransposeKernelState, transposeKernelState } from './transposeKernel/transposeKernel.js';
